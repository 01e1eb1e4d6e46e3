package dev.spindle.component;

import java.util.Collection;
import java.util.Optional;

/**
 * Matches a component's import of a versioned interface ({@code wasi:io/poll@0.2.12}) with the
 * versions a host implements, the way wasmtime's linker does: the exact name if present, else the
 * highest semver-compatible version (same major for 1.x and later; same major and minor for 0.x).
 * wasm-tools merges a guest's 0.2.3 and 0.2.12 imports into the newest one, so a host that
 * implements 0.2.x must answer for every patch level.
 */
public final class InterfaceVersions {
    private InterfaceVersions() {}

    /** The interface in {@code available} that serves {@code wanted}, if any. */
    public static Optional<String> resolve(String wanted, Collection<String> available) {
        if (available.contains(wanted)) {
            return Optional.of(wanted);
        }
        int at = wanted.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        String base = wanted.substring(0, at + 1);
        int[] want = semver(wanted.substring(at + 1));
        if (want == null) {
            return Optional.empty();
        }
        String best = null;
        int[] bestVersion = null;
        for (String candidate : available) {
            if (!candidate.startsWith(base)) {
                continue;
            }
            int[] v = semver(candidate.substring(base.length()));
            if (v == null || v[0] != want[0] || (want[0] == 0 && v[1] != want[1])) {
                continue;
            }
            if (bestVersion == null || compare(v, bestVersion) > 0) {
                best = candidate;
                bestVersion = v;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The exported interface in {@code exported} a host asking for {@code wanted} should call:
     * the same name, else the highest semver-compatible version.
     */
    public static Optional<String> resolveExport(String wanted, Collection<String> exported) {
        return resolve(wanted, exported);
    }

    /** major.minor.patch without pre-release or build parts; null otherwise (pre-releases match only exactly). */
    private static int[] semver(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 9 || !parts[i].chars().allMatch(Character::isDigit)) {
                return null;
            }
            v[i] = Integer.parseInt(parts[i]);
        }
        return v;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
