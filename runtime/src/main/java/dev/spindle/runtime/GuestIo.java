package dev.spindle.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The WASI context of one invocation, for {@link SpindleApp#invoke(String, GuestIo, java.util.function.Function)}.
 *
 * @param stdin       what the guest reads on fd 0
 * @param stdout      receives everything the guest writes on fd 1 (stderr goes to the log)
 * @param environment added to the component's {@code environment}, overriding equal names
 * @param arguments   the guest's argv; empty means the default {@code [component-id]}
 */
public record GuestIo(InputStream stdin, OutputStream stdout, Map<String, String> environment, List<String> arguments) {
    public GuestIo {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        environment = Map.copyOf(environment);
        arguments = List.copyOf(arguments);
    }
}
