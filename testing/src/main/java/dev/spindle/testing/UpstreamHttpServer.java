package dev.spindle.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP/1.1 server on loopback for outbound-HTTP tests. It counts every accepted TCP
 * connection ({@link #accepts()}), so a test can prove that a denied request never opened a
 * socket. Every response closes its connection, so one request is one accept.
 *
 * <p>Routes: {@code /ok} → 200 {@code upstream ok} with {@code x-upstream: yes}; {@code /echo} →
 * 200 with {@code x-method} and the request body; {@code /redirect?to=URL} → 302 to URL;
 * {@code /slow-headers?ms=N} → waits N ms before answering; {@code /slow-body?ms=N} → sends the
 * headers, waits N ms, then the body; {@code /bytes?n=N} → N bytes of {@code x}; anything else 404.
 */
public final class UpstreamHttpServer implements AutoCloseable {
    /** One request as received. */
    public record Received(String method, String target, Map<String, String> headers, byte[] body) {}

    private final ServerSocket socket;
    private final AtomicInteger accepts = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private UpstreamHttpServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::acceptLoop, "upstream-http-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static UpstreamHttpServer start() {
        try {
            return new UpstreamHttpServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on loopback", e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** TCP connections accepted so far. */
    public int accepts() {
        return accepts.get();
    }

    /** Requests received so far, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return;
            }
            accepts.incrementAndGet();
            Thread t = new Thread(() -> serve(s), "upstream-http-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            String[] parts = requestLine.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while ((h = line(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                }
            }
            byte[] body = body(in, headers);
            received.add(new Received(parts[0], parts[1], headers, body));
            respond(s.getOutputStream(), parts[0], parts[1], body);
        } catch (IOException | RuntimeException e) {
            // the client went away; nothing to answer
        }
    }

    private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
        if (headers.containsKey("content-length")) {
            return in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    return out.toByteArray();
                }
                out.write(in.readNBytes(n));
                line(in);
            }
        }
        return new byte[0];
    }

    private static String query(String target, String key) {
        int q = target.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String kv : target.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(key)) {
                return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void respond(OutputStream out, String method, String target, byte[] body) throws IOException {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        switch (path) {
            case "/ok" -> write(out, 200, Map.of("x-upstream", "yes"), "upstream ok".getBytes(StandardCharsets.UTF_8));
            case "/echo" -> write(out, 200, Map.of("x-method", method), body);
            case "/redirect" -> write(out, 302, Map.of("location", query(target, "to")), new byte[0]);
            case "/slow-headers" -> {
                sleep(Long.parseLong(query(target, "ms")));
                write(out, 200, Map.of(), "slow".getBytes(StandardCharsets.UTF_8));
            }
            case "/slow-body" -> {
                out.write(("HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                sleep(Long.parseLong(query(target, "ms")));
                out.write("late".getBytes(StandardCharsets.US_ASCII));
            }
            case "/bytes" -> write(out, 200, Map.of(), "x".repeat(Integer.parseInt(query(target, "n"))).getBytes(StandardCharsets.US_ASCII));
            default -> write(out, 404, Map.of(), "no such route".getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
    }

    private static void write(OutputStream out, int status, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder b = new StringBuilder("HTTP/1.1 ").append(status).append(status == 200 ? " OK" : status == 302 ? " Found" : " Other")
                .append("\r\ncontent-length: ").append(body.length).append("\r\nconnection: close\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        out.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
