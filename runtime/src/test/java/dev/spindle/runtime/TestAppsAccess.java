package dev.spindle.runtime;

import java.nio.file.Path;
import java.util.List;

/** Lets tests in other packages use {@link TestApps}. */
public final class TestAppsAccess {
    private TestAppsAccess() {}

    public static Path manifest(Path dir, String redisAddress, List<String> allowedHosts, String... guests) {
        return TestApps.manifest(dir, redisAddress, allowedHosts, guests);
    }
}
