package dev.spindle.manifest;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/** Reading and parsing the TOML files Spindle is given (the manifest, the runtime config), with one-line errors. */
final class TomlText {
    private TomlText() {}

    /**
     * The file's text.
     *
     * @param kind what the file is, for messages ("manifest", "runtime config")
     * @throws ManifestException naming the file: missing ({@code missingReason}), not UTF-8, unreadable
     */
    static String read(Path file, String kind, String missingReason) {
        try {
            byte[] bytes = InputFiles.read(file, InputFiles.MAX_TOML_BYTES, "a " + kind);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (InputFiles.Refused e) {
            throw new ManifestException(Location.ofFile(file), "not read: it " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new ManifestException(Location.ofFile(file), missingReason);
        } catch (CharacterCodingException e) {
            throw new ManifestException(Location.ofFile(file), "not UTF-8 text; a " + kind + " is a TOML file");
        } catch (IOException e) {
            throw new ManifestException(Location.ofFile(file), "cannot read " + kind + ": " + e.getMessage());
        }
    }

    /** Parses TOML; the first error becomes a {@link ManifestException} at its line and column of {@code nominalFile}. */
    static TomlParseResult parse(String toml, Path nominalFile) {
        TomlParseResult root = Toml.parse(toml);
        if (root.hasErrors()) {
            TomlParseError e = root.errors().get(0);
            TomlPosition p = e.position();
            throw new ManifestException(p == null ? Location.ofFile(nominalFile)
                    : new Location(nominalFile, p.line(), p.column()), "TOML parse error: " + e.getMessage());
        }
        return root;
    }
}
