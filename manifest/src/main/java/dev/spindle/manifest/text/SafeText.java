package dev.spindle.manifest.text;

/**
 * Makes text that someone else controls (a guest, an address, a manifest value) safe to put in one log line or one
 * error message: control characters are escaped, so a newline cannot start a forged line and an ANSI escape cannot
 * repaint the terminal, and very long text is cut.
 */
public final class SafeText {
    private SafeText() {}

    /**
     * Escapes C0 controls, DEL, C1 controls, the Unicode line and paragraph separators and the bidirectional
     * formatting characters (which can make a line read differently from what it holds): {@code \n}, {@code \r},
     * {@code \t}, {@code \e} for ESC, and {@code \x1f} / {@code \u2028} for the others. Everything else is kept.
     */
    public static String escape(String s) {
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x1b -> out.append("\\e");
                default -> {
                    if (c <= 0xff) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }

    /** {@link #escape} and then at most {@code max} characters, with how much was cut. */
    public static String escape(String s, int max) {
        String cut = s.length() > max ? s.substring(0, max) : s;
        String escaped = escape(cut);
        return s.length() > max ? escaped + "...(" + (s.length() - max) + " more characters)" : escaped;
    }

    static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f'
                || c == '\u061c';
    }
}
