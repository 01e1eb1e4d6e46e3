package dev.spindle.manifest;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * The runtime configuration file in Spin's {@code runtime-config.toml} format: host-side settings
 * that are not the app's (where a key-value store lives, how many Redis connections to keep).
 * Each top-level table belongs to one host capability, which reads it; the engine refuses a
 * table no capability claims, as Spin does.
 */
public final class RuntimeConfig {
    private static final RuntimeConfig EMPTY = new RuntimeConfig(Optional.empty(), Toml.parse(""));

    private final Optional<Path> file;
    private final TomlTable root;

    private RuntimeConfig(Optional<Path> file, TomlTable root) {
        this.file = file;
        this.root = root;
    }

    /** No file: every capability runs with its defaults. */
    public static RuntimeConfig empty() {
        return EMPTY;
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws ManifestException (one line naming the file, with line and column for TOML errors)
     */
    public static RuntimeConfig load(Path file) {
        return parse(TomlText.read(file, "runtime config", "no such runtime config file"), file);
    }

    /** Parses runtime config text; {@code nominalFile} names it in messages. */
    public static RuntimeConfig parse(String toml, Path nominalFile) {
        return new RuntimeConfig(Optional.of(nominalFile), TomlText.parse(toml, nominalFile));
    }

    /** The file it was read from; empty for {@link #empty()}. */
    public Optional<Path> file() {
        return file;
    }

    /** The top-level keys, in file order. */
    public Set<String> keys() {
        return root.keySet();
    }

    /**
     * The top-level table {@code key} ({@code [key]} or {@code [key.label]} entries), if present.
     *
     * @throws ManifestException if {@code key} is there but is not a table
     */
    public Optional<TomlTable> table(String key) {
        Object value = root.get(List.of(key));
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof TomlTable t)) {
            throw error(List.of(key), "`" + key + "` must be a table, e.g. [" + key + "]");
        }
        return Optional.of(t);
    }

    /**
     * The top-level array of tables {@code key} ({@code [[key]]} entries), in file order; empty if absent.
     *
     * @throws ManifestException if {@code key} is there but is not an array of tables
     */
    public List<TomlTable> tables(String key) {
        Object value = root.get(List.of(key));
        if (value == null) {
            return List.of();
        }
        if (value instanceof TomlArray a) {
            List<TomlTable> out = new java.util.ArrayList<>();
            for (int i = 0; i < a.size() && a.get(i) instanceof TomlTable t; i++) {
                out.add(t);
            }
            if (out.size() == a.size()) {
                return out;
            }
        }
        throw error(List.of(key), "`" + key + "` must be an array of tables, e.g. [[" + key + "]]");
    }

    /**
     * A one-line problem at {@code key} of {@code table} (an entry of {@link #tables}); when the
     * table lacks {@code key}, at the table's first key.
     */
    public ManifestException error(TomlTable table, String key, String reason) {
        Objects.requireNonNull(reason, "reason");
        Path f = file.orElse(Path.of("runtime-config.toml"));
        String at = table.contains(List.of(key)) ? key : table.keySet().stream().findFirst().orElse(null);
        TomlPosition p = at == null ? null : table.inputPositionOf(List.of(at));
        return new ManifestException(p == null ? Location.ofFile(f) : new Location(f, p.line(), p.column()), reason);
    }

    /** Where a key (its path from the top, e.g. {@code ["key_value_store", "default", "url"]}) is, for messages. */
    public Location location(List<String> path) {
        Path f = file.orElse(Path.of("runtime-config.toml"));
        TomlPosition p = path.isEmpty() ? null : root.inputPositionOf(path);
        return p == null ? Location.ofFile(f) : new Location(f, p.line(), p.column());
    }

    /** A one-line problem at a key, e.g. {@code error(List.of("outbound_redis", "max_connections"), "must be at least 1")}. */
    public ManifestException error(List<String> path, String reason) {
        Objects.requireNonNull(reason, "reason");
        return new ManifestException(location(path), reason);
    }
}
