package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.GuestMemory;
import dev.spindle.host.SafeLog;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 7: a denied address's path was logged raw, so a newline in it forged log lines
 * that seemed to come from another component; 100,000 denied opens in one request wrote 204 MiB
 * of log. Everything reaching the log now passes the app's SafeLog.
 */
@ExtendWith(RedisServerExtension.class)
class LogSafetyTest {
    @TempDir
    Path dir;

    private final TestApps.CapturingLog log = new TestApps.CapturingLog();

    private SpindleApp load(RedisServer redis) {
        Path manifest = TestApps.manifest(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), "redis-proxy");
        return Spindle.load(manifest, SpindleOptions.builder().invocationTimeout(Duration.ofMinutes(2)).log(log).build());
    }

    /** proxy-open(address) n times with one copy of the address in guest memory; returns how many were refused. */
    private static int openRepeatedly(Guest g, String address, int n) {
        GuestMemory m = g.memory();
        GuestMemory.Slice addr = m.allocateBytes(address.getBytes(StandardCharsets.UTF_8));
        int ret = m.allocate(4, 16);
        int refused = 0;
        for (int i = 0; i < n; i++) {
            g.call("proxy-open", addr.ptr(), addr.len(), ret);
            refused += m.readU8(ret);
        }
        return refused;
    }

    @Test
    void aNewlineInADeniedAddressCannotForgeALine(RedisServer redis) {
        String forged = "\nWARN [payments] forged line\r\n\u001b[2J\u001b[31mERROR [payments] also forged";
        try (SpindleApp app = load(redis)) {
            for (String address : List.of(
                    "redis://denied.example:6379/0" + forged,          // parses: the URL standard drops CR/LF, encodes the rest
                    "redis://denied example/" + forged,                  // does not parse: shown escaped
                    "redis://127.0.0.1:" + redis.port() + "/x" + forged)) { // allowed host, refused path
                assertEquals(1, (int) app.invoke("redis-proxy", g -> openRepeatedly(g, address, 1)));
            }
        }
        assertEquals(3, log.lines.size(), log.all());
        for (String line : log.lines) {
            assertTrue(line.startsWith("WARN [redis-proxy] denied redis address "), line);
            assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u001b"), line);
        }
        assertTrue(log.lines.get(1).contains("forged line\\r\\n\\e[2J\\e[31mERROR"), log.lines.get(1));
    }

    @Test
    void aHundredThousandDeniedOpensInOneInvocationWriteABoundedLog(RedisServer redis) {
        int opens = 100_000;
        long started = System.nanoTime();
        try (SpindleApp app = load(redis)) {
            assertEquals(opens, (int) app.invoke("redis-proxy", g -> openRepeatedly(g, "redis://denied.example:6379/0", opens)));
        } // closing the app reports what the rate limit held back
        double seconds = (System.nanoTime() - started) / 1e9;
        long written = log.lines.stream().filter(l -> l.contains("denied redis address") && !l.contains(" similar line")).count();
        // The limit is a rate, so what it lets through grows with the time the loop takes (seconds
        // on a quiet machine, half a minute on a loaded one): the burst, then PER_SECOND lines a
        // second, plus one summary line per SUMMARY_SECONDS.
        long allowed = SafeLog.BURST + (long) Math.ceil(seconds * SafeLog.PER_SECOND) + 1;
        assertTrue(written <= allowed, written + " lines written in " + seconds + " s; the rate limit allows " + allowed);
        long bytes = log.lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum();
        long summaries = (long) Math.ceil(seconds / SafeLog.SUMMARY_SECONDS) + 2;
        long maxBytes = (allowed + summaries) * 256;
        assertTrue(bytes < maxBytes, bytes + " bytes of log for " + opens + " denied opens in " + seconds + " s, bound " + maxBytes
                + " (was 204 MiB)");
        long suppressed = 0;
        Matcher m = Pattern.compile("suppressed ([0-9,]+) similar lines?\\b").matcher(log.all());
        while (m.find()) {
            suppressed += Long.parseLong(m.group(1).replace(",", ""));
        }
        assertTrue(written >= SafeLog.BURST, log.all());
        assertEquals(opens, written + suppressed, "every refusal is either written or counted");
        System.out.println("LogSafetyTest: " + opens + " denied opens in " + String.format("%.1f", seconds) + " s -> "
                + log.lines.size() + " lines, " + bytes + " bytes");
    }
}
