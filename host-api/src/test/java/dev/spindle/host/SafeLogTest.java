package dev.spindle.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.text.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SafeLogTest {
    private final List<String> lines = new ArrayList<>();
    private final HostLog capture = (level, component, message) -> lines.add(level + " [" + component + "] " + message);
    private final AtomicLong now = new AtomicLong();
    private final SafeLog log = SafeLog.withClock(capture, Redactor.of(List.of("hunter2")), now::get);

    @Test
    void controlCharactersAreEscapedSoNoLineCanBeForged() {
        log.warn("guest", "denied redis address `redis://x/\nWARN [payments] forged\u001b[31m\r`");
        assertEquals(List.of("WARN [guest] denied redis address `redis://x/\\nWARN [payments] forged\\e[31m\\r`"), lines);
        log.warn("a\nWARN [b]", "x");
        assertEquals("WARN [a\\nWARN [b]] x", lines.get(1), "the component id too");
    }

    @Test
    void secretsAreRedactedAndLongMessagesCut() {
        log.info("c", "password hunter2 and " + "x".repeat(10_000));
        String line = lines.get(0);
        assertTrue(line.startsWith("INFO [c] password *** and xxx"), line);
        assertTrue(line.length() < SafeLog.MAX_MESSAGE_CHARS + 100, line.length() + "");
        assertTrue(line.endsWith("more characters)"), line);
    }

    @Test
    void aFloodOfOneKindIsCutToTheBurstThenTheRateWithOneSummary() {
        for (int i = 0; i < 100_000; i++) {
            log.warn("guest", "denied redis address \"redis://host-" + i + ":6379\": add \"redis://host-" + i + "\"");
        }
        assertEquals(SafeLog.BURST, lines.size(), "the burst, then nothing while no time passes");
        now.addAndGet(1_000_000_000L); // one second: PER_SECOND more tokens
        log.warn("guest", "denied redis address \"redis://again:6379\": add \"redis://again\"");
        assertEquals("WARN [guest] suppressed 99,950 similar lines in 1.0 s (denied redis address \"\": add \"\")",
                lines.get(SafeLog.BURST));
        assertTrue(lines.get(SafeLog.BURST + 1).contains("redis://again"));
        log.info("guest", "another kind of line");
        assertEquals("INFO [guest] another kind of line", lines.get(lines.size() - 1), "other kinds have their own bucket");
    }

    @Test
    void closeReportsWhatIsStillSuppressed() {
        for (int i = 0; i < SafeLog.BURST + 7; i++) {
            log.error("worker", "GET /x -> 500: trapped " + i);
        }
        log.close();
        assertEquals("ERROR [worker] suppressed 7 similar lines in 0.0 s (GET /x -> N: trapped N)", lines.get(lines.size() - 1));
    }

    @Test
    void aGuestVaryingItsWordsSharesOneOverflowBucket() {
        for (int i = 0; i < 10_000; i++) {
            log.warn("guest", "word" + Integer.toString(i, 36).replaceAll("[0-9]", "q") + " happened");
        }
        assertTrue(lines.size() <= SafeLog.BURST * (SafeLog.MAX_KINDS_PER_COMPONENT + 1), lines.size() + " lines");
    }

    @Test
    void guestOutputLinesAreCleanedAndLimitedToo() {
        List<String> printed = new ArrayList<>();
        HostLog target = new HostLog() {
            @Override
            public void log(Level level, String componentId, String message) {
                printed.add(level + " [" + componentId + "] " + message);
            }

            @Override
            public void guestOutput(String componentId, String stream, String line) {
                printed.add(stream + " [" + componentId + "] " + line);
            }
        };
        try (SafeLog guestLog = SafeLog.withClock(target, Redactor.of(List.of("hunter2")), () -> 0L)) {
            guestLog.guestOutput("web", "stdout", "hello \u001b]0;pwned\u0007 hunter2");
            for (int i = 0; i < 1000; i++) {
                guestLog.guestOutput("web", "stderr", "same line");
            }
        }
        assertEquals("stdout [web] hello \\e]0;pwned\\x07 ***", printed.get(0));
        assertEquals("stderr [web] same line", printed.get(1));
        assertEquals(SafeLog.BURST + 2, printed.size(), printed.toString()); // the lines, then the summary
        assertTrue(printed.get(printed.size() - 1).startsWith("stderr [web] suppressed 950 similar lines"), printed.toString());
        assertFalse(String.join("\n", printed).contains("\u001b"));
    }

    @Test
    void accessEntriesAreCleanedButNeverRateLimited() {
        List<HostLog.Access> entries = new ArrayList<>();
        HostLog target = new HostLog() {
            @Override
            public void log(Level level, String componentId, String message) {
            }

            @Override
            public void access(Access entry) {
                entries.add(entry);
            }
        };
        try (SafeLog accessLog = SafeLog.withClock(target, Redactor.of(List.of("hunter2")), () -> 0L)) {
            for (int i = 0; i < 1000; i++) {
                accessLog.access(new HostLog.Access(java.time.Instant.EPOCH, "GET", "/a\nINFO forged hunter2", 200,
                        java.time.Duration.ofMillis(3), "web"));
            }
        }
        assertEquals(1000, entries.size());
        assertEquals("/a\\nINFO forged ***", entries.get(0).path());
    }

    /** The two regular expressions kind() used to run on every line are the oracle of the one pass that replaced them. */
    @Test
    void aLinesKindDropsQuotedPartsAndNumbersAsTheRegularExpressionsDid() {
        String[] lines = {
            "", "plain", "count=42", "GET /item/17 took 3 ms", "user \"bob\" logged in 3 times",
            "mixed 'a1' `b2` \"c3\" 4", "unclosed \"quote 12", "'' \"\" `` 0", "a\"b\"c\"d 5",
            "{\"host\": \"127.0.0.1\"}", "x".repeat(100) + "1", "1".repeat(200), "\"" + "y".repeat(120) + "\" 7",
            "é 9 ü \"ß\"", "tab\t12\tend", "'it''s' 3",
        };
        for (String line : lines) {
            String expected = line.replaceAll("\"[^\"]*\"|`[^`]*`|'[^']*'", "\"\"").replaceAll("[0-9]+", "N");
            expected = expected.length() > 80 ? expected.substring(0, 80) : expected;
            assertEquals(expected, SafeLog.kind(line), line);
        }
    }
}
