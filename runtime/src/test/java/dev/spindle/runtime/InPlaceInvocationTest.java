package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spindle.runtime.InvocationException.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An invocation made on an invocation thread ({@link SpindleApp#invocationThreads}: the HTTP
 * trigger's server threads) runs right there, without handing it to a worker, and keeps every
 * guarantee a worker gives: the deadline (a watchdog interrupts it), the 16 MiB stack, and a
 * thread that is clean again afterwards (no interrupt left behind for the server's own work).
 */
class InPlaceInvocationTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private SpindleApp load(boolean interpreter) {
        return load(interpreter, TIMEOUT);
    }

    private SpindleApp load(boolean interpreter, Duration timeout) {
        Path manifest = TestApps.manifest(dir, "redis://127.0.0.1:1", List.of(), "loop", "recurse", "trap");
        return Spindle.load(manifest, SpindleOptions.builder()
                .interpreter(interpreter)
                .invocationTimeout(timeout)
                .log(new TestApps.CapturingLog())
                .build());
    }

    /** Runs {@code body} on one of the app's invocation threads; fails rather than hangs. */
    private static <T> T onInvocationThread(SpindleApp app, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        app.invocationThreads("test-invocation-").newThread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).start();
        return result.get(20, TimeUnit.SECONDS);
    }

    private static String threadOfAnInvocation(SpindleApp app) {
        return app.invoke("trap", g -> Thread.currentThread().getName());
    }

    @Test
    void anInvocationOnAnInvocationThreadRunsThereAndFromAPlainThreadOnAWorker() throws Exception {
        try (SpindleApp app = load(false)) {
            String caller = onInvocationThread(app, () -> Thread.currentThread().getName());
            assertEquals(true, caller.startsWith("test-invocation-"));
            String inPlace = onInvocationThread(app, () -> threadOfAnInvocation(app).equals(Thread.currentThread().getName()) ? "same" : "other");
            assertEquals("same", inPlace);
            assertNotEquals(Thread.currentThread().getName(), threadOfAnInvocation(app), "a plain caller hands the invocation over");
        }
    }

    @Test
    void aRunawayLoopInPlaceTimesOutAndLeavesTheThreadClean() throws Exception {
        try (SpindleApp app = load(false)) {
            onInvocationThread(app, () -> {
                for (int round = 0; round < 3; round++) {
                    InvocationException e = assertThrows(InvocationException.class, () -> app.invoke("loop", g -> g.call("run")));
                    assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
                    assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt is cleared");
                    Thread.sleep(5); // and nothing interrupts the thread later
                    assertEquals(Thread.currentThread().getName(), threadOfAnInvocation(app));
                }
                return null;
            });
        }
    }

    @Test
    void deepRecursionInPlaceEndsAsStackExhausted() throws Exception {
        try (SpindleApp app = load(false, Duration.ofSeconds(10))) { // recursing 16 MiB deep takes a while
            InvocationException e = onInvocationThread(app,
                    () -> assertThrows(InvocationException.class, () -> app.invoke("recurse", g -> g.call("run"))));
            assertEquals(Kind.STACK_EXHAUSTED, e.kind(), e.getMessage());
        }
    }

    @Test
    void aNestedInvocationIsHandedToAWorker() throws Exception {
        try (SpindleApp app = load(false)) {
            String nested = onInvocationThread(app, () -> app.invoke("trap", g -> threadOfAnInvocation(app)));
            assertFalse(nested.startsWith("test-invocation-"), nested);
        }
    }

    @Test
    void theInterpreterNeverRunsInPlace() throws Exception {
        try (SpindleApp app = load(true)) {
            String where = onInvocationThread(app, () -> threadOfAnInvocation(app));
            assertFalse(where.startsWith("test-invocation-"), "an interpreted loop could not be interrupted in place: " + where);
        }
    }
}
