package dev.spindle.manifest.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void escapesWhatCouldBreakOrRepaintALine() {
        assertEquals("a\\nb\\r\\t\\e[31m\\x00\\x7f\\x85\\u2028\\u202e", SafeText.escape("a\nb\r\t\u001b[31m\u0000\u007f\u0085\u2028\u202e"));
        assertEquals("caf\u00e9 \u2603 \\ plain", SafeText.escape("caf\u00e9 \u2603 \\ plain"), "other text is kept");
    }

    @Test
    void cutsLongTextSayingHowMuch() {
        assertEquals("abc...(3 more characters)", SafeText.escape("abcdef", 3));
        assertEquals("abc", SafeText.escape("abc", 3));
    }
}
