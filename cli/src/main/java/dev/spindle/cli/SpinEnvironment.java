package dev.spindle.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The environment variables Spin's {@code spin up} reads as option defaults, in one place: an
 * option given on the command line wins, then the variable, then the option's own default.
 * (Read from Spin's source: the trigger's {@code --listen}/TLS options, the runtime-config file,
 * the instance memory cap, the compile cache switch and the log directory.)
 */
final class SpinEnvironment implements IDefaultValueProvider {
    /** Option name -> the environment variable Spin reads for it. */
    static final Map<String, String> VARIABLES = Map.of(
            "--listen", "SPIN_HTTP_LISTEN_ADDR",
            "--tls-cert", "SPIN_TLS_CERT",
            "--tls-key", "SPIN_TLS_KEY",
            "--runtime-config-file", "RUNTIME_CONFIG_FILE",
            "--max-instance-memory", "SPIN_MAX_INSTANCE_MEMORY",
            "--no-cache", "DISABLE_WASMTIME_CACHE",
            "--build", "SPIN_ALWAYS_BUILD",
            "--log-dir", "SPIN_LOG_DIR");

    private final Map<String, String> environment;

    SpinEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String variable = java.util.Arrays.stream(option.names()).map(VARIABLES::get).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null);
        String value = variable == null ? null : environment.get(variable);
        if (value == null) {
            return null;
        }
        if (option.type() == boolean.class || option.type() == Boolean.class) {
            return boolish(variable, value);
        }
        return value;
    }

    /** Spin reads its switches as "boolish": true/false, 1/0, yes/no, on/off. */
    private static String boolish(String variable, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "y", "on" -> "true";
            case "", "0", "false", "no", "n", "off" -> "false";
            default -> throw new UsageException("environment variable " + variable + "=" + value
                    + " is not a switch value (true/false, 1/0, yes/no, on/off)");
        };
    }
}
