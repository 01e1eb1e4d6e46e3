package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@code mvn install} puts in place (issue 15 item 5) stays complete as modules come and go:
 * the BOM lists every module's artifact at the project's version, every jar module names its
 * Automatic-Module-Name after a package it really has, and the LICENSE the jars carry exists.
 */
class PackagingTest {
    static final Path ROOT = Guests.repoRoot();

    static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String first(String text, String regex) {
        List<String> found = all(text, regex);
        assertTrue(!found.isEmpty(), "no match for " + regex);
        return found.get(0);
    }

    @Test
    void theBomListsEveryModuleAtTheProjectsVersion() throws IOException {
        String parent = read("pom.xml");
        String version = first(parent, "<artifactId>spindle-parent</artifactId>\\s*<version>([^<]+)</version>");
        TreeSet<String> artifacts = new TreeSet<>();
        for (String module : all(parent, "<module>([^<]+)</module>")) {
            if (!module.equals("bom")) {
                artifacts.add(first(read(module + "/pom.xml"), "</parent>\\s*<artifactId>([^<]+)</artifactId>"));
            }
        }
        String bom = read("bom/pom.xml");
        assertEquals(version, first(bom, "<artifactId>spindle-bom</artifactId>\\s*<version>([^<]+)</version>"), "the BOM's version");
        assertEquals(artifacts, new TreeSet<>(all(bom, "<artifactId>(spindle-[a-z-]+)</artifactId><version>\\$\\{project.version}</version>")));
        assertEquals(version, SpindleCli.Version.version(), "--version shows the project's version");
    }

    @Test
    void everyJarNamesAnAutomaticModuleAfterItsRootPackage() throws IOException {
        for (String module : all(read("pom.xml"), "<module>([^<]+)</module>")) {
            if (module.equals("bom")) {
                continue;
            }
            String name = first(read(module + "/pom.xml"), "<spindle.module>([^<]+)</spindle.module>");
            Path pkg = ROOT.resolve(module + "/src/main/java/" + name.replace('.', '/'));
            assertTrue(Files.isDirectory(pkg), module + ": Automatic-Module-Name " + name + " is not a package of the module");
        }
        assertTrue(read("LICENSE").contains("Apache License") && read("LICENSE").contains("Version 2.0"));
    }
}
