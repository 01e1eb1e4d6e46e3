package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        Files.writeString(root.resolve("cli/target/spindle.jar"), "a stand-in: newer than any source, so nothing is built");
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

    String jar() {
        return dir.resolve("root/cli/target/spindle.jar").toString();
    }

    @Test
    void javaHomeIsHonouredAndTheOptionsComeBeforeTheJar() throws Exception {
        Path home = fakeJava("home");
        Run r = launch(Map.of("JAVA_HOME", home.toString(), "JAVA_OPTS", "-Da=1 -Xss4m", "SPINDLE_OPTS", "-Xmx1g"), "run", "-f", "my app");
        assertEquals(0, r.exit(), r.out());
        assertEquals("home -Xms16m -Da=1 -Xss4m -Xmx1g -jar " + jar() + " run -f my app\n", r.out());
    }

    @Test
    void spindleJavaWinsOverJavaHome() throws Exception {
        Path home = fakeJava("home");
        Path chosen = fakeJava("chosen");
        Run r = launch(Map.of("JAVA_HOME", home.toString(), "SPINDLE_JAVA", chosen.resolve("bin/java").toString()), "--version");
        assertEquals("chosen -Xms16m -jar " + jar() + " --version\n", r.out());
    }

    @Test
    void aJavaHomeWithoutJavaIsOneClearLine() throws Exception {
        Run r = launch(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()), "--version");
        assertEquals(1, r.exit());
        assertEquals("spindle: JAVA_HOME=" + dir.resolve("nowhere") + " has no bin/java; unset it or point it at a Java 17+ installation\n",
                r.out());
    }
}
