package dev.spindle.manifest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a {@code spin.toml} (v2, or v1 converted the way Spin's compat code does) into an {@link AppManifest}.
 * Every problem is a {@link ManifestException} with a one-line message starting {@code file:line:column:}.
 * Sources are not checked for existence and {@code allowed_outbound_hosts} entries are not validated here
 * (see {@link ComponentConfig#resolvedAllowedHosts}).
 */
public final class ManifestLoader {
    private static final String SUPPORTED =
            "supported: spin_manifest_version = 2, or spin_manifest_version = \"1\" for legacy manifests";

    private ManifestLoader() {
    }

    /** Reads and loads {@code file}. */
    public static AppManifest load(Path file) {
        return loadString(TomlText.read(file, "manifest", "no such file (pass the path to a spin.toml)"), file);
    }

    /** Loads manifest text; {@code nominalFile} is used in messages and as the base for relative paths. */
    public static AppManifest loadString(String toml, Path nominalFile) {
        TomlParseResult root = TomlText.parse(toml, nominalFile);
        Reader r = new Reader(nominalFile);
        Object version = root.get(List.of("spin_manifest_version"));
        String versionKey = "spin_manifest_version";
        if (version == null && root.get(List.of("spin_version")) != null) {
            version = root.get(List.of("spin_version"));
            versionKey = "spin_version";
        }
        if (version == null) {
            throw new ManifestException(new Location(nominalFile, 1, 1),
                    "missing field `spin_manifest_version`; add spin_manifest_version = 2 at the top (" + SUPPORTED + ")");
        }
        if ("1".equals(version)) {
            return new V1(r).load(root);
        }
        if (Long.valueOf(2).equals(version) && versionKey.equals("spin_manifest_version")) {
            return new V2(r).load(root);
        }
        String shown = version instanceof String s ? "\"" + s + "\"" : String.valueOf(r.plain(version));
        throw r.fail(r.loc(root, versionKey), "invalid manifest version: " + versionKey + " = " + shown + " (" + SUPPORTED + ")");
    }

    // ---------------------------------------------------------------------------------------------
    // Shared reading helpers.

    static final class Reader {
        final Path file;
        final Path baseDir;

        Reader(Path file) {
            this.file = file;
            Path parent = file.toAbsolutePath().getParent();
            this.baseDir = parent != null ? parent : file.toAbsolutePath();
        }

        ManifestException fail(Location where, String reason) {
            return new ManifestException(where, reason);
        }

        Location loc(TomlTable t, String key) {
            TomlPosition p = t.inputPositionOf(List.of(key));
            return p == null ? Location.ofFile(file) : new Location(file, p.line(), p.column());
        }

        Location loc(TomlArray a, int i, Location fallback) {
            TomlPosition p = a.inputPositionOf(i);
            return p == null ? fallback : new Location(file, p.line(), p.column());
        }

        Location locOr(TomlTable t, String key, Location fallback) {
            TomlPosition p = t.inputPositionOf(List.of(key));
            return p == null ? fallback : new Location(file, p.line(), p.column());
        }

        void checkKeys(TomlTable t, Set<String> allowed, String where, Location fallback) {
            for (String k : t.keySet()) {
                if (!allowed.contains(k)) {
                    throw fail(locOr(t, k, fallback), "unknown field `" + k + "` in " + where
                            + "; expected one of: " + String.join(", ", sorted(allowed)));
                }
            }
        }

        static List<String> sorted(Set<String> s) {
            List<String> l = new ArrayList<>(s);
            java.util.Collections.sort(l);
            return l;
        }

        static String typeName(Object v) {
            if (v instanceof String) {
                return "a string";
            }
            if (v instanceof Long || v instanceof Double) {
                return "a number";
            }
            if (v instanceof Boolean) {
                return "a boolean";
            }
            if (v instanceof TomlArray) {
                return "an array";
            }
            if (v instanceof TomlTable) {
                return "a table";
            }
            return "a date/time";
        }

        ManifestException wrongType(TomlTable t, String key, String where, String expected) {
            return fail(locOr(t, key, Location.ofFile(file)), where + "." + key + ": expected " + expected + ", got "
                    + typeName(t.get(List.of(key))));
        }

        Optional<String> optString(TomlTable t, String key, String where) {
            Object v = t.get(List.of(key));
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof String s)) {
                throw wrongType(t, key, where, "a string");
            }
            return Optional.of(s);
        }

        String reqString(TomlTable t, String key, String where, Location fallback, String hint) {
            if (t.get(List.of(key)) == null) {
                throw fail(fallback, where + ": missing field `" + key + "`; " + hint);
            }
            return optString(t, key, where).orElseThrow();
        }

        boolean optBool(TomlTable t, String key, String where) {
            Object v = t.get(List.of(key));
            if (v == null) {
                return false;
            }
            if (!(v instanceof Boolean b)) {
                throw wrongType(t, key, where, "true or false");
            }
            return b;
        }

        Optional<TomlTable> optTable(TomlTable t, String key, String where) {
            Object v = t.get(List.of(key));
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof TomlTable tt)) {
                throw wrongType(t, key, where, "a table");
            }
            return Optional.of(tt);
        }

        List<String> stringList(TomlTable t, String key, String where) {
            Object v = t.get(List.of(key));
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof TomlArray a)) {
                throw wrongType(t, key, where, "an array of strings");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof String s)) {
                    throw fail(loc(a, i, loc(t, key)), where + "." + key + "[" + i + "]: expected a string, got "
                            + typeName(a.get(i)));
                }
                out.add(s);
            }
            return out;
        }

        Map<String, String> stringMap(TomlTable t, String key, String where) {
            Optional<TomlTable> tt = optTable(t, key, where);
            Map<String, String> out = new LinkedHashMap<>();
            if (tt.isPresent()) {
                for (String k : tt.get().keySet()) {
                    out.put(k, optString(tt.get(), k, where + "." + key).orElseThrow());
                }
            }
            return out;
        }

        Template template(String raw, Location where, String what) {
            try {
                return Template.parse(raw, where);
            } catch (IllegalArgumentException e) {
                throw fail(where, what + ": " + e.getMessage() + "; close it with '}}'");
            }
        }

        /** TOML values to plain Java values (String, Long, Double, Boolean, List, Map, java.time). */
        Object plain(Object v) {
            if (v instanceof TomlTable t) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String k : t.keySet()) {
                    m.put(k, plain(t.get(List.of(k))));
                }
                return java.util.Collections.unmodifiableMap(m);
            }
            if (v instanceof TomlArray a) {
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    l.add(plain(a.get(i)));
                }
                return java.util.Collections.unmodifiableList(l);
            }
            return v;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> plainMap(TomlTable t) {
            return (Map<String, Object>) plain(t);
        }
    }
}
