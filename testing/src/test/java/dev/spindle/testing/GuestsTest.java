package dev.spindle.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GuestsTest {

  private static final byte[] WASM_MAGIC = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  @Test
  void findsTheRepositoryRoot() {
    Path root = Guests.repoRoot();
    assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root.toString());
    assertEquals(root.resolve("guests"), Guests.directory());
  }

  @Test
  void withoutThePropertyWalksUpFromTheWorkingDirectory() {
    Path viaProperty = Guests.repoRoot();
    String old = System.getProperty(Guests.REPO_PROPERTY);
    System.clearProperty(Guests.REPO_PROPERTY);
    try {
      // surefire runs in testing/, whose pom names spindle-parent only as its <parent>
      assertEquals(viaProperty.toAbsolutePath().normalize(), Guests.repoRoot());
    } finally {
      if (old != null) {
        System.setProperty(Guests.REPO_PROPERTY, old);
      }
    }
  }

  @Test
  void nameMayOmitTheWasmSuffix() {
    assertEquals(Guests.path("trap.wasm"), Guests.path("trap"));
    assertEquals(Guests.directory().resolve("trap.wasm"), Guests.path("trap"));
  }

  @Test
  void everyCommittedGuestIsAWasmModuleWithItsSource() {
    for (String name :
        new String[] {
          "redis-proxy", "redis-command", "hello-command", "exit-zero", "trap", "loop",
          "recurse", "no-realloc", "unknown-import"
        }) {
      byte[] bytes = Guests.bytes(name);
      assertArrayEquals(WASM_MAGIC, Arrays.copyOf(bytes, 8), name);
      assertTrue(Files.isRegularFile(Guests.directory().resolve("wat/" + name + ".wat")), name);
    }
  }

  @Test
  void missingGuestFailsClearly() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Guests.path("no-such-guest"));
    assertTrue(e.getMessage().contains("no guest module"), e.getMessage());
    assertTrue(e.getMessage().contains("redis-proxy.wasm"), "lists what exists: " + e.getMessage());
  }
}
