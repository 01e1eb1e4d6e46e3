package dev.spindle.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Small manifests over the committed guest corpus, shared by the engine's tests (runtime) and the
 * command line's (cli), which live in different modules.
 */
public final class TestManifests {
  private TestManifests() {}

  /**
   * Writes {@code dir/spin.toml}: one {@code [[trigger.command]]} component per guest, named after
   * it, each with the given {@code allowed_outbound_hosts} and a {@code redis_address} variable
   * (default {@code redisAddress}).
   */
  public static Path commandApp(
      Path dir, String redisAddress, List<String> allowedHosts, String... guests) {
    StringBuilder toml =
        new StringBuilder(
            """
            spin_manifest_version = 2
            [application]
            name = "test-app"
            [variables]
            redis_address = { default = "%s" }
            """
                .formatted(redisAddress));
    for (String guest : guests) {
      toml.append("[[trigger.command]]\ncomponent = \"").append(guest).append("\"\n");
    }
    for (String guest : guests) {
      toml.append("[component.")
          .append(guest)
          .append("]\n")
          .append("source = \"")
          .append(Guests.path(guest + ".wasm").toString().replace("\\", "/"))
          .append("\"\n")
          .append("allowed_outbound_hosts = [")
          .append(String.join(", ", allowedHosts.stream().map(h -> "\"" + h + "\"").toList()))
          .append("]\n")
          .append("[component.")
          .append(guest)
          .append(".variables]\n")
          .append("redis_address = \"{{ redis_address }}\"\n");
    }
    try {
      Path file = dir.resolve("spin.toml");
      Files.writeString(file, toml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
