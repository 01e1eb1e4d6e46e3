package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTriggerServer#responseHead}: the one check behind every {@link ResponseSink#head},
 * the server's and the embedding {@link HttpEntry}'s alike.
 */
class ResponseHeadTest {

    @Test
    void framingHeadersAreDroppedAndTheRestKeptInOrder() {
        List<Map.Entry<String, String>> sent = HttpTriggerServer.responseHead(false, 200, List.of(
                Map.entry("X-First", "1"), Map.entry("Content-Length", "99"), Map.entry("transfer-encoding", "chunked"),
                Map.entry("Connection", "close"), Map.entry("x-second", "2")));
        assertEquals(List.of(Map.entry("X-First", "1"), Map.entry("x-second", "2")), sent);
    }

    @Test
    void headersThatCannotBeSentAndBadStatusesAreRefused() {
        for (Map.Entry<String, String> bad : List.of(Map.entry("Bad Name", "v"), Map.entry("", "v"),
                Map.entry("X-Injected", "a\r\nSet-Cookie: evil"), Map.entry("X-Nul", "a\0b"))) {
            assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.responseHead(false, 200, List.of(bad)), bad.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.responseHead(false, 99, List.of()));
        assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.responseHead(false, 1000, List.of()));
        assertThrows(IllegalStateException.class, () -> HttpTriggerServer.responseHead(true, 200, List.of()));
    }
}
