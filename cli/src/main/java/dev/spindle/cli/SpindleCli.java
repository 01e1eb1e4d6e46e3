package dev.spindle.cli;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.LoadException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code spindle}: the command line over the embedding API. Each subcommand returns an exit
 * code; every failure a user can cause is mapped to one line on stderr, never a stack trace.
 */
@Command(
        name = "spindle",
        mixinStandardHelpOptions = true,
        versionProvider = SpindleCli.Version.class,
        description = "Runs Spin-style WebAssembly components with sandboxed Redis access.",
        subcommands = {RunCommand.class, WatchCommand.class, CheckCommand.class, CommandLine.HelpCommand.class})
public final class SpindleCli {
    /** Exit code for an invalid manifest or component (as `spindle check`). */
    public static final int EXIT_INVALID = 2;
    /** Exit code when running failed (guest trap, Redis unreachable at startup, ...). */
    public static final int EXIT_FAILED = 1;

    /** Exit code for a command line that is wrong (unknown option, bad value, options that go together). */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given output streams and returns the exit code (tests call this). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, System.getenv());
    }

    /** {@link #execute(String[], PrintWriter, PrintWriter)} with {@code environment} for Spin's environment defaults. */
    static int execute(String[] args, PrintWriter out, PrintWriter err, java.util.Map<String, String> environment) {
        CommandLine cli = new CommandLine(new SpindleCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setDefaultValueProvider(new SpinEnvironment(environment));
        cli.setExpandAtFiles(false); // --variable @vars.toml is Spin's, not picocli's argument file
        cli.setParameterExceptionHandler((e, arguments) -> usageError(e.getCommandLine(),
                // A bad environment value is found while picocli applies defaults, and arrives wrapped.
                e.getCause() instanceof UsageException u ? u.getMessage() : firstLine(e.getMessage())));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UsageException) {
                return usageError(commandLine, e.getMessage());
            }
            commandLine.getErr().println("error: " + describe(e));
            return exitCodeFor(e);
        });
        try {
            return cli.execute(args);
        } catch (UsageException e) {
            // Thrown while picocli applies defaults (a bad environment value), before any command runs.
            return usageError(cli, e.getMessage());
        }
    }

    /** One line naming what is wrong, then where to look; exit 2 (as picocli's own parse errors). */
    private static int usageError(CommandLine commandLine, String message) {
        commandLine.getErr().println("error: " + message + " (see '" + commandLine.getCommandSpec().qualifiedName() + " --help')");
        return EXIT_USAGE;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ManifestException || e instanceof LoadException || e instanceof InvocationException
                || e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                || e instanceof dev.spindle.redis.embedded.EmbeddedRedisException) {
            return message;
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    static int exitCodeFor(Throwable e) {
        if (e instanceof ManifestException || e instanceof LoadException) {
            return EXIT_INVALID;
        }
        return EXIT_FAILED;
    }

    /** {@code spindle 0.1.0 (Chicory 1.7.5, Java 21.0.5)}: the build's version, filled in by Maven (version.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spindle " + version() + " (Chicory " + built("chicory") + ", Java " + Runtime.version() + ")"};
        }

        static String version() {
            return built("version");
        }

        private static String built(String key) {
            java.util.Properties p = new java.util.Properties();
            try (var in = SpindleCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                // a jar that cannot read its own resource: report what is known
            }
            return p.getProperty(key, "unknown");
        }
    }
}
