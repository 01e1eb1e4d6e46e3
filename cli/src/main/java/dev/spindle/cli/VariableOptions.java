package dev.spindle.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.spindle.manifest.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import picocli.CommandLine.Option;

/**
 * {@code --variable}, shared by run, check and watch, in Spin's four forms: {@code name=value},
 * {@code name=@file} (the file's text), {@code @file.json} and {@code @file.toml} (a table of
 * names to string values). Later ones win; all win over {@code SPIN_VARIABLE_<NAME>}.
 */
final class VariableOptions {
    /** A variable file is a handful of names; a bigger one is a mistake, not input to buffer. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    @Option(
            names = "--variable",
            paramLabel = "NAME=VALUE|NAME=@FILE|@FILE.json|@FILE.toml",
            description = "Set application variables (repeatable): a value, a file's text, or every name = \"value\" of a JSON or "
                    + "TOML file; wins over SPIN_VARIABLE_<NAME> in the environment.")
    List<String> assignments = new ArrayList<>();

    /** @throws UsageException naming the --variable argument or its file */
    Map<String, String> values() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            if (a.startsWith("@")) {
                out.putAll(readFile(Path.of(a.substring(1)), a));
                continue;
            }
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--variable " + a + ": expected NAME=VALUE, NAME=@FILE, @FILE.json or @FILE.toml");
            }
            String name = a.substring(0, eq).trim();
            String value = a.substring(eq + 1);
            out.put(name, value.startsWith("@") ? text(Path.of(value.substring(1)), a) : value);
        }
        return out;
    }

    private static Map<String, String> readFile(Path file, String arg) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".json")) {
            return json(file, text(file, arg), arg);
        }
        if (name.endsWith(".toml")) {
            return toml(file, text(file, arg), arg);
        }
        throw new UsageException("--variable " + arg + ": a variable file must end in .json or .toml");
    }

    private static Map<String, String> json(Path file, String text, String arg) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new UsageException("--variable " + arg + ": " + file + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!root.isJsonObject()) {
            throw new UsageException("--variable " + arg + ": " + file + " must hold one JSON object of names to string values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) root).entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new UsageException("--variable " + arg + ": " + file + ": \"" + e.getKey() + "\" must be a string, as every variable value is");
            }
            out.put(e.getKey(), v.getAsString());
        }
        return out;
    }

    private static Map<String, String> toml(Path file, String text, String arg) {
        TomlParseResult root = Toml.parse(text);
        if (root.hasErrors()) {
            var error = root.errors().get(0);
            throw new UsageException("--variable " + arg + ": " + file + ":" + error.position().line() + ":" + error.position().column()
                    + ": " + error.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : root.keySet()) {
            Object v = root.get(List.of(key));
            if (!(v instanceof String s)) {
                var at = root.inputPositionOf(List.of(key));
                throw new UsageException("--variable " + arg + ": " + file + (at == null ? "" : ":" + at.line() + ":" + at.column())
                        + ": \"" + key + "\" must be a string, as every variable value is");
            }
            out.put(key, s);
        }
        return out;
    }

    private static String text(Path file, String arg) {
        try {
            return new String(InputFiles.read(file, MAX_FILE_BYTES, "a variable file"), StandardCharsets.UTF_8);
        } catch (InputFiles.Refused e) {
            throw new UsageException("--variable " + arg + ": " + file + " " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("--variable " + arg + ": no such file " + file);
        } catch (IOException e) {
            throw new UsageException("--variable " + arg + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
