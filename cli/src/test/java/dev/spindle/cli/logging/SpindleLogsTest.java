package dev.spindle.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/** The two formats, byte for byte, and which events are written. */
class SpindleLogsTest {
    private static final Instant T = Instant.parse("2026-12-01T13:50:01.123456Z");

    @AfterEach
    void reset() {
        SpindleLogs.configure(LogSettings.defaults());
    }

    @Test
    void textNamesTheComponentAndSaysWhatKindOfLineItIs() {
        assertEquals("2026-12-01T13:50:01.123Z WARN [web] denied redis address",
                SpindleLogs.text("spindle", Level.WARN, T, "denied redis address", List.of(new KeyValuePair("component", "web"))));
        assertEquals("2026-12-01T13:50:01.123Z INFO [web] stderr: hello",
                SpindleLogs.text("spindle.guest", Level.INFO, T, "hello",
                        List.of(new KeyValuePair("component", "web"), new KeyValuePair("stream", "stderr"))));
        assertEquals("2026-12-01T13:50:01.123Z INFO [web] access: GET / 200 1.000 ms",
                SpindleLogs.text("spindle.access", Level.INFO, T, "GET / 200 1.000 ms", List.of(new KeyValuePair("component", "web"))));
        assertEquals("2026-12-01T13:50:01.123Z WARN [org.eclipse.jetty.Server] oops",
                SpindleLogs.text("org.eclipse.jetty.Server", Level.WARN, T, "oops", null));
    }

    @Test
    void jsonIsOneObjectWithTheKeyValuePairsAndEscapesWhatWouldBreakTheLine() {
        assertEquals("{\"time\":\"2026-12-01T13:50:01.123Z\",\"level\":\"INFO\",\"logger\":\"spindle.access\",\"component\":\"web\","
                        + "\"status\":200,\"duration_ms\":1.5,\"path\":\"/a\\\"b\\\\c\\n\\u0001\\u2028\",\"message\":\"x\"}",
                SpindleLogs.json("spindle.access", Level.INFO, T, "x", List.of(new KeyValuePair("component", "web"),
                        new KeyValuePair("status", 200), new KeyValuePair("duration_ms", 1.5),
                        new KeyValuePair("start", "left out"), new KeyValuePair("path", "/a\"b\\c\n\u0001\u2028"))));
    }

    @Test
    void spindleLinesFromInfo_librariesFromWarn_quietDropsGuestAndAccessLines() {
        assertTrue(SpindleLogs.enabled("spindle", Level.INFO));
        assertFalse(SpindleLogs.enabled("spindle", Level.DEBUG));
        assertFalse(SpindleLogs.enabled("org.eclipse.jetty.server.Server", Level.INFO));
        assertTrue(SpindleLogs.enabled("redis.clients.jedis.Jedis", Level.WARN));
        assertTrue(SpindleLogs.enabled("spindle.access", Level.INFO));
        SpindleLogs.configure(new LogSettings(LogSettings.Format.TEXT, true, Optional.empty()));
        assertFalse(SpindleLogs.enabled("spindle.access", Level.INFO));
        assertFalse(SpindleLogs.enabled("spindle.guest", Level.INFO));
        assertTrue(SpindleLogs.enabled("spindle", Level.INFO));
    }
}
