package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.Guests;
import dev.spindle.wasi.WasiVersion;
import dev.spindle.wasi.http.ErrorCode;
import dev.spindle.wasi.http.Field;
import dev.spindle.wasi.http.IncomingBody;
import dev.spindle.wasi.http.IncomingRequest;
import dev.spindle.wasi.http.ResponseOutparam;
import dev.spindle.wasi.http.ResponseTarget;
import dev.spindle.wasi.http.WasiHttp;
import dev.spindle.wasi.io.ChunkSink;
import dev.spindle.wasi.io.InputStreamSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The wasi:http guests called through the engine directly (no HTTP server): the host side of the ABI. */
class WasiHttpHandlerTest {
    @TempDir
    Path dir;

    static final class Captured implements ResponseTarget, ChunkSink {
        int status = -1;
        List<Field> headers = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Optional<List<Field>> trailers;
        String aborted;
        ErrorCode failed;

        @Override
        public ChunkSink start(int status, List<Field> headers) {
            this.status = status;
            this.headers = headers;
            return this;
        }

        @Override
        public void write(java.nio.ByteBuffer chunk) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            body.writeBytes(b);
        }

        @Override
        public void fail(ErrorCode error) {
            failed = error;
        }

        @Override
        public void finish(Optional<List<Field>> trailers) {
            this.trailers = trailers;
        }

        @Override
        public void abort(String reason) {
            aborted = reason;
        }

        String header(String name) {
            return headers.stream().filter(f -> f.name().equals(name)).map(Field::valueLatin1).findFirst().orElse(null);
        }
    }

    private SpindleApp load(String guest) throws Exception {
        return load(guest, "[]");
    }

    private SpindleApp load(String guest, String allowedHosts) throws Exception {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "t"
                [[trigger.http]]
                route = "/..."
                component = "web"
                [component.web]
                source = "%s"
                allowed_outbound_hosts = %s
                """.formatted(Guests.path(guest).toString().replace("\\", "/"), allowedHosts));
        return Spindle.load(manifest, SpindleOptions.builder().environment(java.util.Map.of()).build());
    }

    private static Captured call(SpindleApp app, WasiVersion v, String method, String path, byte[] body) {
        Captured out = new Captured();
        IncomingRequest req = new IncomingRequest(method, Optional.of(path), Optional.of("http"), Optional.of("localhost:3000"),
                List.of(Field.of("x-one", "1"), Field.of("host", "localhost:3000")),
                new IncomingBody(new InputStreamSource(new ByteArrayInputStream(body), "request body"), Optional::empty));
        ResponseOutparam param = new ResponseOutparam(out);
        app.invoke("web", guest -> {
            guest.call(WasiHttp.incomingHandler(v), req, param);
            return null;
        });
        return out;
    }

    static String guest(WasiVersion v) {
        return "wasi-http/http-" + v.label().replace("0.2.0-", "");
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void helloAndEcho(WasiVersion v) throws Exception {
        try (SpindleApp app = load(guest(v))) {
            Captured hello = call(app, v, "GET", "/hello", new byte[0]);
            assertEquals(200, hello.status);
            assertEquals("hello from wasi:http " + v.label() + "\n", hello.body.toString(StandardCharsets.UTF_8));
            Captured echo = call(app, v, "POST", "/echo?status=201", "ping".getBytes(StandardCharsets.UTF_8));
            assertEquals(201, echo.status);
            assertEquals("POST", echo.header("x-method"));
            assertEquals("/echo?status=201", echo.header("x-path-with-query"));
            assertEquals("localhost:3000", echo.header("x-authority"));
            assertEquals("http", echo.header("x-scheme"));
            assertEquals("1", echo.header("x-echo-x-one"));
            assertEquals("ping", echo.body.toString(StandardCharsets.UTF_8));
            assertTrue(echo.aborted == null);
        }
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void outboundAllowedDeniedRedirectTimeout(WasiVersion v) throws Exception {
        try (dev.spindle.testing.UpstreamHttpServer allowed = dev.spindle.testing.UpstreamHttpServer.start();
             dev.spindle.testing.UpstreamHttpServer denied = dev.spindle.testing.UpstreamHttpServer.start();
             SpindleApp app = load(guest(v), "[\"http://127.0.0.1:" + allowed.port() + "\"]")) {
            Captured ok = call(app, v, "GET", "/outbound?url=" + allowed.origin() + "/ok", new byte[0]);
            assertEquals(200, ok.status, ok.body.toString());
            assertEquals("200", ok.header("x-upstream-status"));
            assertEquals("upstream ok", ok.body.toString(StandardCharsets.UTF_8));

            Captured no = call(app, v, "GET", "/outbound?url=" + denied.origin() + "/ok", new byte[0]);
            assertEquals(502, no.status);
            assertTrue(no.body.toString().startsWith("outbound error: "), no.body.toString());
            assertEquals(0, denied.accepts());

            Captured redirect = call(app, v, "GET", "/outbound?url=" + allowed.origin() + "/redirect?to=" + denied.origin() + "/ok", new byte[0]);
            assertEquals("302", redirect.header("x-upstream-status"));
            assertEquals(0, denied.accepts());

            Captured slow = call(app, v, "GET", "/outbound?timeout=300&url=" + allowed.origin() + "/slow-headers?ms=3000", new byte[0]);
            assertEquals(502, slow.status, slow.body.toString());

            Captured post = call(app, v, "POST", "/outbound?url=" + allowed.origin() + "/echo", "payload!".getBytes(StandardCharsets.UTF_8));
            assertEquals("payload!", post.body.toString(StandardCharsets.UTF_8));
        }
    }

    /** A client that takes {@code taken} chunks, then stops reading until {@link #gone} says it left. */
    static final class StalledClient implements ResponseTarget, ChunkSink {
        final java.util.concurrent.Semaphore taken = new java.util.concurrent.Semaphore(0);
        final java.util.concurrent.CountDownLatch gone = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
        final int reads;
        volatile String aborted;
        volatile Thread writer;

        StalledClient(int reads) {
            this.reads = reads;
        }

        @Override
        public ChunkSink start(int status, List<Field> headers) {
            return this;
        }

        @Override
        public void write(java.nio.ByteBuffer chunk) throws java.io.IOException {
            if (chunks.get() >= reads) {
                writer = Thread.currentThread();
                try {
                    gone.await(); // the socket is full: the transport's write blocks the writer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.io.IOException("the client went away");
            }
            bytes.addAndGet(chunk.remaining());
            chunks.incrementAndGet();
            taken.release();
        }

        @Override
        public void fail(ErrorCode error) {}

        @Override
        public void finish(Optional<List<Field>> trailers) {}

        @Override
        public void abort(String reason) {
            aborted = reason;
        }
    }

    /**
     * Back-pressure: a guest streaming 1 GiB to a client that stops reading waits in its write
     * (its thread parked, allocating nothing, the host holding no more than the chunk in hand), and
     * when the client goes away its next write fails, so the guest stops and the invocation ends.
     */
    @org.junit.jupiter.api.Test
    void aClientThatStopsReadingParksTheGuestInsteadOfFillingMemory() throws Exception {
        try (SpindleApp app = load(guest(WasiVersion.V0_2_0))) {
            StalledClient client = new StalledClient(3);
            IncomingRequest req = new IncomingRequest("GET", Optional.of("/big?bytes=" + (1L << 30)), Optional.of("http"),
                    Optional.of("localhost:3000"), List.of(),
                    new IncomingBody(new InputStreamSource(new ByteArrayInputStream(new byte[0]), "request body"), Optional::empty));
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    app.invoke("web", g -> {
                        g.call(WasiHttp.incomingHandler(WasiVersion.V0_2_0), req, new ResponseOutparam(client));
                        return null;
                    });
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "stalled-client-guest");
            guest.start();
            assertTrue(client.taken.tryAcquire(3, 30, java.util.concurrent.TimeUnit.SECONDS), "the client's three reads");
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            RedisTriggersTest.await("the guest's next write", () -> client.writer != null);
            Thread writer = client.writer; // the thread running the guest (the invocation's, maybe not ours)
            long allocatedBefore = threads.getThreadAllocatedBytes(writer.getId());
            long bytesBefore = client.bytes.get();
            Thread.sleep(1000);
            assertTrue(guest.isAlive(), "the guest waits for the client");
            assertEquals(Thread.State.WAITING, writer.getState(), "the guest is parked in the transport's write, not spinning");
            assertEquals(bytesBefore, client.bytes.get(), "nothing more reached the stalled client");
            long allocated = threads.getThreadAllocatedBytes(writer.getId()) - allocatedBefore;
            assertTrue(allocated < 64 << 10, "the parked guest allocated " + allocated + " bytes");
            assertTrue(bytesBefore <= 3L * dev.spindle.wasi.io.BufferedOutput.CAPACITY, "the client took " + bytesBefore + " bytes");

            client.gone.countDown();
            guest.join(10_000);
            assertTrue(!guest.isAlive(), "the guest stopped once its write failed");
            assertTrue(failed.get() == null, String.valueOf(failed.get()));
            assertTrue(client.aborted != null, "the response was cut off, not finished");
            // The instance is fine for the next request.
            assertEquals("hello from wasi:http 0.2.0\n", call(app, WasiVersion.V0_2_0, "GET", "/hello", new byte[0]).body.toString());
        }
    }

    /**
     * Regression: a pooled instance built after the template copied the template's function-table
     * entries as they were, so its call_indirect ran the template's functions on the template's
     * memory (the guest's snprintf wrote its text into the template; every response body was
     * empty). After a trap drops the template, the next instance is a new one.
     */
    @org.junit.jupiter.api.Test
    void aPooledInstanceBuiltAfterTheTemplateCallsThroughItsOwnFunctionTable() throws Exception {
        try (SpindleApp app = load(guest(WasiVersion.V0_2_0))) {
            assertEquals("hello from wasi:http 0.2.0\n", call(app, WasiVersion.V0_2_0, "GET", "/hello", new byte[0]).body.toString());
            org.junit.jupiter.api.Assertions.assertThrows(dev.spindle.runtime.InvocationException.class,
                    () -> call(app, WasiVersion.V0_2_0, "GET", "/trap-mid-body", new byte[0]));
            for (int i = 0; i < 3; i++) {
                Captured after = call(app, WasiVersion.V0_2_0, "GET", "/v020/hello", new byte[0]);
                assertEquals("hello from wasi:http 0.2.0\n", after.body.toString(StandardCharsets.UTF_8), "invocation " + i);
            }
        }
    }
}
