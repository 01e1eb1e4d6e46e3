package dev.spindle.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Guests built at test time rather than committed: those with third-party code inside (the WASI
 * preview 1 adapter, StarlingMonkey) or too large to commit. Their build scripts exit 3 when a
 * toolchain is missing; a developer's run then skips the test, but CI (environment variable
 * {@code CI} set, as {@code .ci/run} runs) fails it, so a missing install step cannot hide.
 */
public final class BuiltGuests {
  /** Exit code of a build script whose toolchain is missing. */
  public static final int TOOLCHAIN_MISSING = 3;

  private BuiltGuests() {}

  /**
   * Runs {@code <repo>/guests/<script> out} and returns {@code out}; fails with the script's output
   * if it fails, skips (outside CI) if its toolchain is missing.
   */
  public static Path build(String script, Path out) {
    Path path = Guests.directory().resolve(script);
    try {
      Process p = new ProcessBuilder("bash", path.toString(), out.toString()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        Assertions.fail("guests/" + script + " did not finish in 20 minutes: " + log);
      }
      int exit = p.exitValue();
      if (exit == TOOLCHAIN_MISSING) {
        Assertions.assertNull(System.getenv("CI"), () -> "CI must install the toolchain of guests/" + script + ": " + log);
        Assumptions.abort("toolchain missing, guests/" + script + " not built: " + log);
      }
      Assertions.assertEquals(0, exit, () -> "guests/" + script + " failed: " + log);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * One compile cache for the whole build ({@code <repo>/target/test-compile-cache}): the JS
   * components' 12 MB core modules cost tens of seconds of CPU each to compile, so every test that
   * loads one after the first reuses the compiled classes.
   */
  public static Path compileCache() {
    return Guests.repoRoot().resolve("target").resolve("test-compile-cache");
  }
}
