package dev.spindle.manifest.hosts;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The WHATWG URL standard's basic URL parser, for absolute URLs (no base URL), as Rust's {@code url} crate
 * implements it. Spin reads every outbound address with that crate, and so does the Redis client Spin connects
 * with, so this is what decides which host an address names.
 *
 * <p>The rules that matter for permissions (derived from {@code url/src/parser.rs} and {@code url/src/host.rs}):
 * <ul>
 *   <li>leading and trailing C0 controls and spaces are trimmed, and every tab, CR and LF is removed, wherever it is;
 *   <li>{@code http}, {@code https}, {@code ws}, {@code wss}, {@code ftp} are <em>special</em>: any number of
 *       {@code /} or {@code \} may follow the scheme, {@code \} ends the authority like {@code /}, and the host is
 *       parsed as a domain or IP address (percent-decoded, IDNA, IPv4 numbers normalised);
 *   <li>every other scheme, {@code redis} and {@code rediss} included, is <em>non-special</em>: only {@code //} opens
 *       an authority, and the host is an <em>opaque host</em>, kept as written except that C0 controls, DEL and
 *       non-ASCII bytes are percent-encoded, so {@code 127.1} and {@code %63ache} stay exactly that;
 *   <li>the authority ends at the first {@code /}, {@code ?} or {@code #}; the userinfo ends at the last {@code @}
 *       before that, and the first {@code :} in it separates user from password;
 *   <li>the port is decimal digits up to 65535 (leading zeros allowed); an empty port is no port; a special
 *       scheme's default port is dropped ({@code http://h:80} has no port).
 * </ul>
 * The {@code file} scheme (which has no network host) is refused.
 */
final class UrlSyntax {
    private UrlSyntax() {}

    /** The url crate's {@code default_port}: only special schemes have one at this level. */
    private static final Map<String, Integer> SPECIAL = Map.of("http", 80, "https", 443, "ws", 80, "wss", 443, "ftp", 21);

    /** Thrown with a short, lower-case reason; callers prefix the (redacted) URL. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final boolean noScheme;

        Invalid(String reason) {
            this(reason, false);
        }

        Invalid(String reason, boolean noScheme) {
            super(reason);
            this.noScheme = noScheme;
        }
    }

    /**
     * A parsed absolute URL.
     *
     * @param scheme    lower-case
     * @param special   whether the scheme is special (its host was parsed as a domain or IP address)
     * @param username  percent-decoded; empty when absent
     * @param password  percent-decoded; empty when absent or empty
     * @param host      the serialized host: an opaque host as written (percent-encoded where the standard says),
     *                  the canonical domain or IPv4 address of a special URL, or a bracketed IPv6 address; empty
     *                  when the URL has no host (e.g. {@code redis:cache} or {@code redis://})
     * @param port      the port, unless absent, empty or the special scheme's default
     * @param path      percent-encoded as the url crate encodes it
     * @param query     without the {@code ?}
     * @param fragment  without the {@code #}
     */
    record Parsed(String scheme, boolean special, String username, Optional<String> password, Optional<String> host,
                  OptionalInt port, String path, Optional<String> query, Optional<String> fragment) {}

    static Parsed parse(String input) {
        String s = removeTabsAndNewlines(trimControlsAndSpace(input));
        int schemeEnd = schemeEnd(s);
        if (schemeEnd < 0) {
            throw new Invalid("it must start with a scheme", true);
        }
        String scheme = s.substring(0, schemeEnd).toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("file")) {
            throw new Invalid("a file: URL names no network host");
        }
        boolean special = SPECIAL.containsKey(scheme);
        String rest = s.substring(schemeEnd + 1);
        int p;
        if (special) {
            p = 0;
            while (p < rest.length() && (rest.charAt(p) == '/' || rest.charAt(p) == '\\')) {
                p++;
            }
        } else if (rest.startsWith("//")) {
            p = 2;
        } else {
            // No authority ("redis:cache"): a URL without a host.
            return tail(scheme, special, "", Optional.empty(), Optional.empty(), OptionalInt.empty(), rest);
        }

        // Userinfo: up to the last '@' before the end of the authority.
        int authorityEnd = p;
        while (authorityEnd < rest.length() && !endsAuthority(rest.charAt(authorityEnd), special)) {
            authorityEnd++;
        }
        int at = rest.lastIndexOf('@', authorityEnd - 1);
        String username = "";
        Optional<String> password = Optional.empty();
        boolean hasUserinfo = false;
        if (at >= p) {
            if (at == p) {
                // "@host": an empty userinfo. The standard fails only when nothing but a delimiter follows.
                if (at + 1 < rest.length() && endsAuthority(rest.charAt(at + 1), special)) {
                    throw new Invalid("has no host");
                }
            } else {
                String userinfo = rest.substring(p, at);
                int colon = userinfo.indexOf(':');
                username = decodeUserinfo(colon < 0 ? userinfo : userinfo.substring(0, colon), "user name");
                String pw = colon < 0 ? "" : userinfo.substring(colon + 1);
                password = pw.isEmpty() ? Optional.empty() : Optional.of(decodeUserinfo(pw, "password"));
                hasUserinfo = !(colon < 0 ? userinfo : userinfo.substring(0, colon)).isEmpty() || !pw.isEmpty();
            }
            p = at + 1;
        }

        // Host: up to ':' (outside brackets) or the end of the authority.
        int hostEnd = p;
        boolean inBrackets = false;
        while (hostEnd < rest.length()) {
            char c = rest.charAt(hostEnd);
            if ((c == ':' && !inBrackets) || endsAuthority(c, special)) {
                break;
            }
            if (c == '[') {
                inBrackets = true;
            } else if (c == ']') {
                inBrackets = false;
            }
            hostEnd++;
        }
        String hostText = rest.substring(p, hostEnd);
        boolean portFollows = hostEnd < rest.length() && rest.charAt(hostEnd) == ':';
        Optional<String> host;
        if (special) {
            if (hostText.isEmpty()) {
                throw new Invalid("has no host");
            }
            host = Optional.of(HostSyntax.canonical(hostText));
        } else {
            String opaque = opaqueHost(hostText);
            if (opaque.isEmpty() && (portFollows || hasUserinfo)) {
                throw new Invalid("has no host");
            }
            host = opaque.isEmpty() ? Optional.empty() : Optional.of(opaque);
        }

        OptionalInt port = OptionalInt.empty();
        int q = hostEnd;
        if (portFollows) {
            int start = hostEnd + 1;
            q = start;
            while (q < rest.length() && !isPortEnd(rest.charAt(q))) {
                q++;
            }
            String text = rest.substring(start, q);
            String shown = text.length() > 20 ? text.substring(0, 20) + "..." : text;
            if (!HostSyntax.allDigits(text) && !text.isEmpty()) {
                throw new Invalid("has port `" + shown + "`, which is not a number");
            }
            int zeros = 0; // leading zeros dropped, the last digit kept (a regex here cost a Pattern per parse)
            while (zeros < text.length() - 1 && text.charAt(zeros) == '0') {
                zeros++;
            }
            String digits = text.substring(zeros);
            if (digits.length() > 5 || (!digits.isEmpty() && Integer.parseInt(digits) > 65535)) {
                throw new Invalid("has port " + shown + ", which is out of range (0-65535)");
            }
            if (!digits.isEmpty() && !Integer.valueOf(Integer.parseInt(digits)).equals(SPECIAL.get(scheme))) {
                port = OptionalInt.of(Integer.parseInt(digits));
            }
        }
        return tail(scheme, special, username, password, host, port, rest.substring(q));
    }

    private static Parsed tail(String scheme, boolean special, String username, Optional<String> password,
                               Optional<String> host, OptionalInt port, String rest) {
        int hash = rest.indexOf('#');
        Optional<String> fragment = hash < 0 ? Optional.empty() : Optional.of(encode(rest.substring(hash + 1), FRAGMENT));
        String beforeFragment = hash < 0 ? rest : rest.substring(0, hash);
        int question = beforeFragment.indexOf('?');
        Optional<String> query = question < 0 ? Optional.empty()
                : Optional.of(encode(beforeFragment.substring(question + 1), special ? SPECIAL_QUERY : QUERY));
        String path = question < 0 ? beforeFragment : beforeFragment.substring(0, question);
        if (special) {
            path = path.replace('\\', '/');
        }
        return new Parsed(scheme, special, username, password, host, port, encode(path, PATH), query, fragment);
    }

    /** The opaque-host parser: forbidden code points are errors; C0 controls, DEL and non-ASCII are percent-encoded. */
    private static String opaqueHost(String text) {
        if (text.startsWith("[")) {
            // Validated and canonicalised by HostSyntax; here only the shape matters.
            return HostSyntax.canonical(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || " #/:<>?@[\\]^|".indexOf(c) >= 0) {
                throw new Invalid("has `" + (c == 0 ? "U+0000" : String.valueOf(c)) + "` in its host, which is not allowed");
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xFF;
            if (v < 0x20 || v >= 0x7F) {
                out.append('%').append(HEX[v >> 4]).append(HEX[v & 15]);
            } else {
                out.append((char) v);
            }
        }
        return out.toString();
    }

    private static String decodeUserinfo(String raw, String what) {
        byte[] bytes = HostSyntax.percentDecodeBytes(raw);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Invalid("has a " + what + " that is not valid UTF-8 once percent-decoded");
        }
    }

    /** Index of the ':' that ends a valid scheme, or -1. */
    private static int schemeEnd(String s) {
        if (s.isEmpty() || !isAsciiAlpha(s.charAt(0))) {
            return -1;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return i;
            }
            if (!(isAsciiAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean endsAuthority(char c, boolean special) {
        return c == '/' || c == '?' || c == '#' || (special && c == '\\');
    }

    /** The url crate ends a port at these whatever the scheme; any other non-digit is an invalid port. */
    private static boolean isPortEnd(char c) {
        return c == '/' || c == '\\' || c == '?' || c == '#';
    }

    private static boolean isAsciiAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static String trimControlsAndSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) <= 0x20) {
            start++;
        }
        while (end > start && s.charAt(end - 1) <= 0x20) {
            end--;
        }
        return s.substring(start, end);
    }

    static String removeTabsAndNewlines(String s) {
        if (s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    // --- percent-encode sets (WHATWG): C0 controls, DEL and non-ASCII always, plus these -------------------------

    private static final String FRAGMENT = " \"<>`";
    private static final String QUERY = " \"#<>";
    private static final String SPECIAL_QUERY = " \"#<>'";
    private static final String PATH = " \"#<>?`{}";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static String encode(String s, String set) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c > 0x20 && c < 0x7F && set.indexOf(c) < 0;
        }
        if (plain) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xFF;
            if (v <= 0x20 || v >= 0x7F || set.indexOf(v) >= 0) {
                out.append('%').append(HEX[v >> 4]).append(HEX[v & 15]);
            } else {
                out.append((char) v);
            }
        }
        return out.toString();
    }
}
