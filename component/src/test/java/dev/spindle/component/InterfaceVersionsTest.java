package dev.spindle.component;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterfaceVersionsTest {
    private static final List<String> HOST = List.of("wasi:io/poll@0.2.0", "wasi:io/poll@0.2.6", "wasi:io/poll@0.3.0-rc-2025-09-16",
            "fermyon:spin/redis@2.0.0", "fermyon:spin/redis@3.1.0");

    @Test
    void exactNamesWin() {
        assertEquals(Optional.of("wasi:io/poll@0.2.0"), InterfaceVersions.resolve("wasi:io/poll@0.2.0", HOST));
    }

    @Test
    void zeroMajorVersionsMatchWithinTheirMinorTakingTheHighestPatch() {
        // wasm-tools merges a guest's 0.2.3 and 0.2.12 imports into 0.2.12; a 0.2.x host serves it
        assertEquals(Optional.of("wasi:io/poll@0.2.6"), InterfaceVersions.resolve("wasi:io/poll@0.2.12", HOST));
        assertEquals(Optional.empty(), InterfaceVersions.resolve("wasi:io/poll@0.1.0", HOST));
    }

    @Test
    void laterMajorVersionsMatchWithinTheirMajor() {
        assertEquals(Optional.of("fermyon:spin/redis@2.0.0"), InterfaceVersions.resolve("fermyon:spin/redis@2.1.0", HOST));
        assertEquals(Optional.empty(), InterfaceVersions.resolve("fermyon:spin/redis@4.0.0", HOST));
    }

    @Test
    void preReleasesAndUnversionedNamesMatchOnlyExactly() {
        assertEquals(Optional.empty(), InterfaceVersions.resolve("wasi:io/poll@0.3.0-rc-2025-08-15", HOST));
        assertEquals(Optional.empty(), InterfaceVersions.resolve("wasi:io/poll", HOST));
        assertEquals(Optional.empty(), InterfaceVersions.resolve("wasi:io/streams@0.2.0", HOST));
    }
}
