package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What case the request header names a guest sees are in, on a keep-alive connection. A name
 * Jetty does not know keeps the client's case on every request. A name it knows (Host,
 * User-Agent, Accept, ...) gets its canonical case on a connection's first request; on later
 * requests Jetty parses header lines through the connection's header cache, which keeps the
 * client's case, as long as the cache has room (with the cache off, or too small for the lines,
 * known names are canonical on every request, whatever the compliance mode). Names are
 * case-insensitive (RFC 9110), and Spin hands guests lower-cased names, so guests compare them
 * without case; this pins what the server does, so that a change to it (a Jetty upgrade, a
 * smaller cache to save its 96 KiB a connection) is seen.
 */
@ExtendWith(RedisServerExtension.class)
class RequestHeaderCaseTest {

    @Test
    void unknownNamesKeepTheirCase_knownOnesAreCanonicalOnAConnectionsFirstRequestOnly(RedisServer redis, @TempDir Path dir) throws Exception {
        // The executor answers with the names of the headers it was given, in order.
        HttpGuestExecutor echoNames = HttpExecutorSeamTest.streaming((request, response) -> {
            byte[] names = request.headers().stream().map(Map.Entry::getKey).collect(Collectors.joining(","))
                    .getBytes(StandardCharsets.UTF_8);
            response.head(200, List.of(Map.entry("content-length", Integer.toString(names.length))));
            response.end(ByteBuffer.wrap(names));
        });
        try (SpindleApp app = TestApps.load(dir, HttpSlowClientsTest.MANIFEST.formatted(TestApps.wasm("http-counter")), redis.uri(),
                     new TestApps.CapturingLog());
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0), Map.of("counter", echoNames));
             Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            // request as sent -> names the executor is given
            String[][] cases = {
                {"host,user-agent,x-custom", "Host,User-Agent,x-custom"}, // the first request: known names canonical
                {"host,user-agent,x-custom", "host,user-agent,x-custom"},
                {"HOST,USER-AGENT,X-CUSTOM", "HOST,USER-AGENT,X-CUSTOM"},
                {"Host,User-Agent,X-Custom", "Host,User-Agent,X-Custom"},
            };
            String[] values = {"a", "spindle-test/1.0", "1"};
            for (String[] c : cases) {
                String[] names = c[0].split(",");
                StringBuilder request = new StringBuilder("GET /count HTTP/1.1\r\n");
                for (int i = 0; i < names.length; i++) {
                    request.append(names[i]).append(": ").append(values[i]).append("\r\n");
                }
                out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(c[1], body(in), "sent " + c[0]);
            }
        }
    }

    private static String body(BufferedReader in) throws Exception {
        String status = in.readLine();
        assertEquals("HTTP/1.1 200 OK", status);
        int length = -1;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
                throw new java.io.EOFException("connection closed after " + read + " of " + length + " body bytes");
            }
            read += n;
        }
        return new String(body);
    }
}
