package dev.spindle.wasi.cli;

import dev.spindle.wasi.io.HostInputStream;
import dev.spindle.wasi.io.HostOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one instance's wasi:cli, wasi:filesystem and wasi:random functions see: the component's
 * environment and arguments, its stdio and its read-only files.
 *
 * @param files the component's files mounted at {@code /} (read-only), if it has any
 */
public record CliState(Map<String, String> environment, List<String> arguments, Supplier<HostInputStream> stdin,
                       Supplier<HostOutputStream> stdout, Supplier<HostOutputStream> stderr,
                       Optional<java.nio.file.Path> files) {
    public CliState {
        environment = Map.copyOf(environment);
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(files, "files");
    }
}
