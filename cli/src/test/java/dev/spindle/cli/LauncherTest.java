package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./spindle} launcher (issue 15 item 5): which Java it runs and with which options.
 * A copy of the script runs against a stand-in jar and stand-in {@code java} binaries that print
 * their arguments, so nothing is built and no JVM starts.
 */
class LauncherTest {
    @TempDir
    Path dir;

    record Run(int exit, String out) {}

    Path fakeJava(String name) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name + "/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"" + name + " $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve(name);
    }

    Run launch(Map<String, String> env, String... args) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root/cli/target")).getParent().getParent();
        Files.copy(Guests.repoRoot().resolve("spindle"), root.resolve("spindle"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.exists(root.resolve("cli/target/spindle.jar"))) {
            Files.writeString(root.resolve("cli/target/spindle.jar"), "a stand-in: newer than any source, so nothing is built");
        }
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", root.resolve("spindle").toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("SPINDLE_JAVA");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("SPINDLE_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    /**
     * A Java home of {@code version} (its release file says so) whose java runs {@code special}
     * (a shell case body for its arguments) and otherwise prints its arguments.
     */
    Path fakeJavaHome(String name, String version, String special) throws IOException {
        Path home = fakeJava(name);
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Files.writeString(home.resolve("bin/java"), "#!/bin/sh\ncase \"$*\" in " + special + "\nesac\necho \"" + name + " $*\"\n");
        return home;
    }

    /** A Java 25 home whose java creates the cache file an AOTMode=create run names. */
    Path fakeJava25() throws IOException {
        return fakeJavaHome("java25", "25.0.3", """
                *AOTMode=create*)
                  for a; do case "$a" in -XX:AOTCache=*) : > "${a#-XX:AOTCache=}";; esac; done; exit 0;;""");
    }

    @Test
    void onJava25RunRecordsThenBuildsTheJvmsClassCacheOnceThenUsesIt() throws Exception {
        Path home = fakeJava25();
        Path target = dir.resolve("root/cli/target");
        Map<String, String> env = Map.of("JAVA_HOME", home.toString());

        Run record = launch(env, "run");
        assertEquals(0, record.exit(), record.out());
        java.util.regex.Matcher recording = java.util.regex.Pattern.compile("java25 -XX:AOTMode=record -XX:AOTConfiguration="
                + java.util.regex.Pattern.quote(target + "/spindle-") + "([0-9]+)\\.aotconf\\.[0-9]+ -Xlog:aot\\*=off -Xlog:cds\\*=off -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar .* run\n")
                .matcher(record.out());
        assertTrue(recording.matches(), record.out());
        String jvm = recording.group(1); // which Java installation the cache is for
        Path cache = target.resolve("spindle-" + jvm + ".aot");

        Path recorded = target.resolve("spindle-" + jvm + ".aotconf.4242");   // what that start would have written when it stopped
        Files.writeString(recorded, "recorded classes");
        Files.setLastModifiedTime(recorded, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Run build = launch(env, "run");
        assertEquals(0, build.exit(), build.out());
        assertTrue(build.out().startsWith("spindle: building the JVM's class cache from an earlier start"), build.out());
        assertTrue(build.out().contains("java25 -XX:AOTCache=" + cache + " "), build.out());
        assertTrue(Files.exists(cache));
        assertTrue(!Files.exists(recorded), "the recording is consumed");

        Run use = launch(env, "run");
        assertEquals("java25 -XX:AOTCache=" + cache + " -Xlog:aot*=off -Xlog:cds*=off -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar "
                + jar() + " run\n", use.out());

        assertEquals("java25 -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " run\n", launch(Map.of("JAVA_HOME", home.toString(), "SPINDLE_AOT", "0"), "run").out());
        assertEquals("java25 -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " --version\n", launch(env, "--version").out());

        Files.writeString(target.resolve("spindle.jar"), "rebuilt");   // a newer jar: the cache is dropped, the next start records
        Files.setLastModifiedTime(target.resolve("spindle.jar"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        assertTrue(launch(env, "run").out().startsWith("java25 -XX:AOTMode=record "));
        assertTrue(!Files.exists(cache));
    }

    String jar() {
        return dir.resolve("root/cli/target/spindle.jar").toString();
    }

    /** A Java 17 home whose java accepts an archive check (-Xshare:on) only for a file saying "whole". */
    Path fakeJava17() throws IOException {
        return fakeJavaHome("java17", "17.0.15", """
                *Xshare:on*)
                  for a; do case "$a" in -XX:SharedArchiveFile=*) grep -q whole "${a#-XX:SharedArchiveFile=}" && exit 0;; esac; done; exit 1;;""");
    }

    @Test
    void beforeJava25RunWritesADynamicCdsArchiveThenChecksItOnceThenMapsIt() throws Exception {
        Path home = fakeJava17();
        Path target = dir.resolve("root/cli/target");
        Map<String, String> env = Map.of("JAVA_HOME", home.toString());

        Run write = launch(env, "run");
        java.util.regex.Matcher writing = java.util.regex.Pattern.compile("java17 -XX:ArchiveClassesAtExit="
                + java.util.regex.Pattern.quote(target + "/spindle-") + "([0-9]+)\\.jsa\\.[0-9]+ -Xlog:cds=off -Xlog:cds\\+dynamic=off -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar .* run\n")
                .matcher(write.out());
        assertTrue(writing.matches(), write.out());
        Path archive = target.resolve("spindle-" + writing.group(1) + ".jsa");

        Path cutOff = target.resolve(archive.getFileName() + ".4242"); // a start killed while writing it
        Files.writeString(cutOff, "cut off");
        Files.setLastModifiedTime(cutOff, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(launch(env, "run").out().startsWith("java17 -XX:ArchiveClassesAtExit="), "a file that fails the check is not used");
        assertTrue(!Files.exists(cutOff) && !Files.exists(archive));

        Path written = target.resolve(archive.getFileName() + ".4343");
        Files.writeString(written, "whole");
        Files.setLastModifiedTime(written, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Run use = launch(env, "run");
        assertEquals("java17 -XX:SharedArchiveFile=" + archive + " -Xlog:cds=off -Xlog:cds+dynamic=off -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " run\n",
                use.out());
        assertTrue(Files.exists(archive) && !Files.exists(written));
        assertEquals(use.out(), launch(env, "run").out(), "every later start maps it");

        assertEquals("java17 -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " run\n", launch(Map.of("JAVA_HOME", home.toString(), "SPINDLE_AOT", "0"), "run").out());
        assertEquals("java17 -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " check\n", launch(env, "check").out());

        Files.writeString(target.resolve("spindle.jar"), "rebuilt"); // a newer jar: the archive is dropped
        Files.setLastModifiedTime(target.resolve("spindle.jar"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        assertTrue(launch(env, "run").out().startsWith("java17 -XX:ArchiveClassesAtExit="));
        assertTrue(!Files.exists(archive));
    }

    @Test
    void javaHomeIsHonouredAndTheOptionsComeBeforeTheJar() throws Exception {
        Path home = fakeJava("home");
        Run r = launch(Map.of("JAVA_HOME", home.toString(), "JAVA_OPTS", "-Da=1 -Xss4m", "SPINDLE_OPTS", "-Xmx3g"), "run", "-f", "my app");
        assertEquals(0, r.exit(), r.out());
        assertEquals("home -Xms16m -Xmx1g -XX:GCTimeRatio=4 -Da=1 -Xss4m -Xmx3g -jar " + jar() + " run -f my app\n", r.out());
    }

    @Test
    void spindleJavaWinsOverJavaHome() throws Exception {
        Path home = fakeJava("home");
        Path chosen = fakeJava("chosen");
        Run r = launch(Map.of("JAVA_HOME", home.toString(), "SPINDLE_JAVA", chosen.resolve("bin/java").toString()), "--version");
        assertEquals("chosen -Xms16m -Xmx1g -XX:GCTimeRatio=4 -jar " + jar() + " --version\n", r.out());
    }

    @Test
    void aJavaHomeWithoutJavaIsOneClearLine() throws Exception {
        Run r = launch(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()), "--version");
        assertEquals(1, r.exit());
        assertEquals("spindle: JAVA_HOME=" + dir.resolve("nowhere") + " has no bin/java; unset it or point it at a Java 17+ installation\n",
                r.out());
    }
}
