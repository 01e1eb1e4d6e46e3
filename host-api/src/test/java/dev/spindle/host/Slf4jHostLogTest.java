package dev.spindle.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Slf4jHostLogTest {

    @Test
    void accessDurationsPrintAsPercentPoint3fWouldPrintThem() {
        assertEquals("0.000", Slf4jHostLog.millis(0));
        assertEquals("0.005", Slf4jHostLog.millis(5));
        assertEquals("0.050", Slf4jHostLog.millis(50));
        assertEquals("0.999", Slf4jHostLog.millis(999));
        assertEquals("1.000", Slf4jHostLog.millis(1000));
        assertEquals("12.345", Slf4jHostLog.millis(12_345));
        assertEquals("30000.001", Slf4jHostLog.millis(30_000_001));
        Random random = new Random(14);
        for (int i = 0; i < 10_000; i++) {
            long micros = random.nextInt(100_000_000);
            assertEquals(String.format(Locale.ROOT, "%.3f", micros / 1000.0), Slf4jHostLog.millis(micros), micros + " us");
        }
    }
}
