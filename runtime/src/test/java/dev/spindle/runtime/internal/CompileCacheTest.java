package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.TrapException;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk compile cache: a miss compiles and stores, a hit loads; corrupt entries and concurrent writers are harmless. */
class CompileCacheTest {
    private static final ComponentContext CONTEXT = new ComponentContext("cached", AllowedHosts.parse(List.of()), HostLog.stderr());

    private static ComponentRuntime load(String guest, CompileCache cache) throws IOException {
        return ComponentRuntime.load(CONTEXT, Files.readAllBytes(Guests.path(guest)), false, 16L << 20, Map.of(), List.of(),
                Optional.empty(), cache);
    }

    /** The trap guest's run() executes unreachable: proof that the loaded classes run the guest's code. */
    private static void assertRunsTrap(ComponentRuntime runtime) {
        ComponentRuntime.Io io = new ComponentRuntime.Io(InputStreamNone.INSTANCE, System.out, System.err);
        assertThrows(TrapException.class, () -> runtime.withInstance(io, g -> g.export("run").orElseThrow().apply()));
    }

    private static List<Path> entries(CompileCache cache) throws IOException {
        try (Stream<Path> files = Files.list(cache.directory())) {
            return files.toList();
        }
    }

    @Test
    void aMissCompilesAndStoresAHitLoadsWithoutCompiling(@TempDir Path dir) throws Exception {
        CompileCache first = CompileCache.open(dir);
        assertRunsTrap(load("trap", first));
        assertEquals(1, first.misses());
        assertEquals(1, first.writes());
        assertTrue(first.directory().getFileName().toString().startsWith("chicory-1.7.5-"), first.directory().toString());

        CompileCache second = CompileCache.open(dir);
        assertRunsTrap(load("trap", second));
        assertEquals(1, second.hits());
        assertEquals(0, second.misses());
        assertEquals(0, second.writes());
    }

    @Test
    void aComponentImportingWhatTheHostLacksIsRefusedAtLoadInOneLine(@TempDir Path dir) {
        var e = assertThrows(dev.spindle.runtime.LoadException.class,
                () -> load("component/redis-counter.component.wasm", CompileCache.open(dir)));
        assertTrue(e.getMessage().startsWith("component \"cached\" cannot be linked: imports \"fermyon:spin/redis@2.0.0\" "
                + "\"[resource-drop]connection\", which the host does not provide"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void aCorruptEntryIsDroppedAndRewritten(@TempDir Path dir) throws Exception {
        CompileCache cache = CompileCache.open(dir);
        load("trap", cache);
        Path entry = entries(cache).get(0);
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length - 10] ^= 0x55; // a flipped byte in the compiled classes
        Files.write(entry, bytes);

        CompileCache again = CompileCache.open(dir);
        assertRunsTrap(load("trap", again));
        assertEquals(0, again.hits());
        assertEquals(1, again.misses());
        assertEquals(1, again.writes(), "recompiled and stored afresh");
        assertTrue(CompileCache.open(dir).hit(loadDigest()) != null, "the rewritten entry is whole");
    }

    @Test
    void aTruncatedOrForeignEntryIsAMiss(@TempDir Path dir) throws Exception {
        CompileCache cache = CompileCache.open(dir);
        load("trap", cache);
        Path entry = entries(cache).get(0);
        byte[] bytes = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CompileCache truncated = CompileCache.open(dir);
        assertRunsTrap(load("trap", truncated));
        assertEquals(1, truncated.misses());

        Files.writeString(entries(cache).get(0), "not a cache entry");
        CompileCache foreign = CompileCache.open(dir);
        assertRunsTrap(load("trap", foreign));
        assertEquals(1, foreign.misses());
    }

    @Test
    void concurrentWritersLeaveOneWholeEntryAndNoTemporaryFiles(@TempDir Path dir) throws Exception {
        byte[] payload = new byte[1 << 20];
        new java.util.Random(7).nextBytes(payload);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> writers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                writers.add(() -> {
                    CompileCache.open(dir).putIfAbsent("sha-256:same-key", payload);
                    assertArrayEquals(payload, CompileCache.open(dir).get("sha-256:same-key"));
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(writers)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        CompileCache cache = CompileCache.open(dir);
        assertEquals(1, entries(cache).size(), String.valueOf(entries(cache)));
        assertArrayEquals(payload, cache.get("sha-256:same-key"));
    }

    @Test
    void anUnwritableCacheDirectoryOnlyCostsACompile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        CompileCache cache = CompileCache.open(file);
        assertRunsTrap(load("trap", cache));
        assertEquals(0, cache.writes());
        assertNull(cache.get("sha-256:anything"));
    }

    private static String loadDigest() throws IOException {
        return com.dylibso.chicory.wasm.Parser.parse(Files.readAllBytes(Guests.path("trap"))).digest();
    }

    private static final class InputStreamNone extends java.io.InputStream {
        static final InputStreamNone INSTANCE = new InputStreamNone();

        @Override
        public int read() {
            return -1;
        }
    }
}
