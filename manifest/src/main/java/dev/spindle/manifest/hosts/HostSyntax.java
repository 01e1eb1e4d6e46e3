package dev.spindle.manifest.hosts;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Host-name and IP-literal syntax shared by allow-list entries and candidate URLs.
 *
 * <p>Both sides go through {@link #canonical(String)} so that "the host that was checked" and "the host that is
 * connected to" are the same string. This matters for odd IPv4 spellings: Spin (via the WHATWG URL rules) reads
 * {@code 010.0.0.1} as octal {@code 8.0.0.1}, while {@link InetAddress} would read it as decimal; if matching and
 * connecting disagreed, an allow-list could be bypassed.
 *
 * <p>Nothing here ever resolves a name: IP literals are parsed by hand and turned into {@link InetAddress} with
 * {@link InetAddress#getByAddress(byte[])}, which does no lookup.
 */
final class HostSyntax {
    private HostSyntax() {}

    /** Thrown with a short, lower-case reason; callers wrap it with the offending text. */
    static final class BadHost extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadHost(String reason) {
            super(reason);
        }
    }

    /**
     * Returns the canonical form of a host: a lower-case ASCII domain name, a dotted-decimal IPv4 address, or a
     * bracketed, compressed, lower-case IPv6 address (RFC 5952 style, as the WHATWG URL standard serializes it).
     */
    static String canonical(String raw) {
        if (raw.isEmpty()) {
            throw new BadHost("the host is empty");
        }
        if (raw.startsWith("[")) {
            int close = raw.indexOf(']');
            if (close < 0) {
                throw new BadHost("`" + raw + "` is missing the closing `]` of its IPv6 address");
            }
            if (close != raw.length() - 1) {
                throw new BadHost("`" + raw + "` has `" + raw.substring(close + 1) + "` after the IPv6 address");
            }
            byte[] v6 = parseIpv6(raw.substring(1, raw.length() - 1));
            if (v6 == null) {
                throw new BadHost("`" + raw + "` is not a valid IPv6 address");
            }
            return "[" + formatIpv6(v6) + "]";
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(percentDecodeBytes(raw))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadHost("`" + raw + "` is not valid UTF-8 once percent-decoded");
        }
        String ascii;
        try {
            // Pure-ASCII names only need lower-casing; IDN handles the rest (punycode), as UTS 46 does in Spin.
            ascii = isAscii(decoded) ? decoded : toAsciiByLabel(decoded);
        } catch (IllegalArgumentException e) {
            throw new BadHost("`" + raw + "` is not a valid international domain name");
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        checkPunycodeLabels(raw, ascii);
        if (ascii.isEmpty()) {
            throw new BadHost("the host is empty");
        }
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            if (isForbiddenDomainChar(c)) {
                throw new BadHost("`" + raw + "` contains `" + printable(c) + "`, which is not allowed in a host name");
            }
        }
        if (endsInNumber(ascii)) {
            byte[] v4 = parseUrlIpv4(ascii);
            if (v4 == null) {
                throw new BadHost("`" + raw + "` looks like an IPv4 address but is not a valid one");
            }
            return formatIpv4(v4);
        }
        return ascii;
    }

    /** IDN per label, so that empty labels (a leading or doubled dot), which UTS 46 allows, are kept. */
    private static String toAsciiByLabel(String name) {
        StringBuilder out = new StringBuilder();
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(isAscii(labels[i]) ? labels[i] : IDN.toASCII(labels[i], IDN.ALLOW_UNASSIGNED));
        }
        return out.toString();
    }

    /**
     * Labels written as {@code xn--...} must be valid punycode that UTS 46 would produce, as the url crate's IDNA
     * step requires; otherwise Spin rejects the host, so a {@code *.example.com} entry must not allow it here.
     * Checked by round trip through {@link IDN}: decoding must give non-ASCII text that encodes back to the label.
     */
    private static void checkPunycodeLabels(String raw, String ascii) {
        if (!ascii.contains("xn--")) {
            return;
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!label.startsWith("xn--")) {
                continue;
            }
            // The url crate refuses a punycode label ending in '-' (that is how pure ASCII encodes) and one whose
            // decoding is not valid, NFC-stable UTS 46 text. Java's IDNA 2003 round trip without unassigned code
            // points, and no leading combining mark, is at least as strict.
            String unicode = label.endsWith("-") ? label : IDN.toUnicode(label, IDN.ALLOW_UNASSIGNED);
            boolean valid = !unicode.equals(label) && !isAscii(unicode) && !startsWithMark(unicode);
            if (valid) {
                try {
                    valid = IDN.toASCII(unicode, 0).equalsIgnoreCase(label);
                } catch (IllegalArgumentException e) {
                    valid = false;
                }
            }
            if (!valid) {
                throw new BadHost("`" + raw + "` has `" + label + "`, which is not valid punycode");
            }
        }
    }

    /** The address of a canonical host, or empty when it is a domain name. Never does a lookup. */
    static Optional<InetAddress> address(String canonical) {
        if (canonical.startsWith("[")) {
            return Optional.of(toInet(parseIpv6(canonical.substring(1, canonical.length() - 1))));
        }
        byte[] v4 = parseStrictIpv4(canonical);
        return v4 == null ? Optional.empty() : Optional.of(toInet(v4));
    }

    /** Whether the canonical host is a domain name (as opposed to an IP literal). */
    static boolean isDomain(String canonical) {
        return address(canonical).isEmpty();
    }

    static InetAddress toInet(byte[] bytes) {
        try {
            // No lookup: the address is given as bytes. Inet6Address is forced for 16 bytes because
            // InetAddress.getByAddress silently turns ::ffff:a.b.c.d into an Inet4Address, which would let an IPv4
            // range match an IPv6 candidate (Spin keeps the families apart) and break IPv6 prefix lengths.
            if (bytes.length == 16) {
                return Inet6Address.getByAddress(null, bytes, -1);
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("impossible: address of length " + bytes.length, e);
        }
    }

    // --- IPv4 -------------------------------------------------------------------------------------------------

    /**
     * Strict dotted-quad IPv4 (what Rust's {@code Ipv4Addr::from_str} accepts, and so what Spin's CIDR entries
     * accept): four decimal parts, 0-255, no leading zeros. Returns null if not one.
     */
    static byte[] parseStrictIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !allDigits(p) || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** The WHATWG "ends in a number" test that decides whether a host is read as IPv4. */
    private static boolean endsInNumber(String host) {
        String[] parts = host.split("\\.", -1);
        int n = parts.length;
        if (parts[n - 1].isEmpty()) {
            if (n == 1) {
                return false;
            }
            n--;
        }
        String last = parts[n - 1];
        return !last.isEmpty() && (allDigits(last) || parseUrlIpv4Number(last) >= 0);
    }

    /**
     * The WHATWG IPv4 parser used by Spin's URL crate: 1-4 parts, each decimal, octal (leading 0) or hex (0x); the
     * last part fills the remaining bytes. So {@code 127.1} is 127.0.0.1 and {@code 0x7f.1} too.
     */
    private static byte[] parseUrlIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        int n = parts.length;
        if (parts[n - 1].isEmpty() && n > 1) {
            n--;
        }
        if (n > 4) {
            return null;
        }
        long[] numbers = new long[n];
        for (int i = 0; i < n; i++) {
            numbers[i] = parseUrlIpv4Number(parts[i]);
            if (numbers[i] < 0) {
                return null;
            }
        }
        for (int i = 0; i < n - 1; i++) {
            if (numbers[i] > 255) {
                return null;
            }
        }
        long last = numbers[n - 1];
        if (last >= (1L << (8 * (5 - n)))) {
            return null;
        }
        long value = last;
        for (int i = 0; i < n - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** One WHATWG IPv4 part; -1 if invalid. Values are capped so that they cannot overflow. */
    private static long parseUrlIpv4Number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() >= 2 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            return 0;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 0x7f) {
                return -1;
            }
            value = Math.min(value * radix + d, 1L << 40); // anything this large is rejected later anyway
        }
        return value;
    }

    static String formatIpv4(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    // --- IPv6 -------------------------------------------------------------------------------------------------

    /**
     * Textual IPv6 (RFC 4291 section 2.2): eight groups of 1-4 hex digits, one optional {@code ::}, optionally a
     * dotted-quad IPv4 tail. No zone ids, no brackets. Returns null if not one.
     */
    static byte[] parseIpv6(String s) {
        if (s.isEmpty()) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0) || c > 0x7f) {
                return null;
            }
        }
        int[] groups = new int[8];
        int count = 0;
        int compressAt = -1;
        int i = 0;
        if (s.startsWith("::")) {
            compressAt = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < s.length()) {
            if (count == 8) {
                return null;
            }
            int end = i;
            while (end < s.length() && s.charAt(end) != ':' && s.charAt(end) != '.') {
                end++;
            }
            if (end < s.length() && s.charAt(end) == '.') {
                // Embedded IPv4 tail: must be the rest of the string and fill two groups.
                byte[] v4 = parseStrictIpv4(s.substring(i));
                if (v4 == null || count > 6) {
                    return null;
                }
                groups[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                groups[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                i = s.length();
                break;
            }
            int len = end - i;
            if (len < 1 || len > 4) {
                return null;
            }
            groups[count++] = Integer.parseInt(s.substring(i, end), 16);
            i = end;
            if (i == s.length()) {
                break;
            }
            // s.charAt(i) == ':'
            if (i + 1 < s.length() && s.charAt(i + 1) == ':') {
                if (compressAt >= 0) {
                    return null;
                }
                compressAt = count;
                i += 2;
            } else {
                i += 1;
                if (i == s.length()) {
                    return null; // trailing single colon
                }
            }
        }
        int[] full = new int[8];
        if (compressAt >= 0) {
            if (count == 8) {
                return null; // "::" must stand for at least one group
            }
            int tail = count - compressAt;
            System.arraycopy(groups, 0, full, 0, compressAt);
            System.arraycopy(groups, compressAt, full, 8 - tail, tail);
        } else {
            if (count != 8) {
                return null;
            }
            full = groups;
        }
        byte[] out = new byte[16];
        for (int g = 0; g < 8; g++) {
            out[2 * g] = (byte) (full[g] >>> 8);
            out[2 * g + 1] = (byte) full[g];
        }
        return out;
    }

    /** RFC 5952 text: lower-case, leading zeros dropped, the first longest run (of 2 or more) of zero groups as ::. */
    static String formatIpv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(g[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /**
     * Percent-decodes as UTF-8. A '%' not followed by two hex digits is kept as is, as URL libraries do; in a host
     * it is then rejected as a forbidden character, which is Spin's outcome too.
     */
    static String percentDecode(String s) {
        return s.indexOf('%') < 0 ? s : new String(percentDecodeBytes(s), StandardCharsets.UTF_8);
    }

    /** Percent-decodes to bytes; a '%' not followed by two hex digits is kept. */
    static byte[] percentDecodeBytes(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (s.indexOf('%') < 0) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toByteArray();
    }

    /**
     * Why the system resolver (glibc {@code getaddrinfo}, which Spin's Redis client hands the opaque host text to)
     * would not reach {@code canonical}, the host Spin's check matched; null when it would. Only IPv4 spellings
     * differ (found by comparing the URL standard's IPv4 parser with {@code inet_aton} over 34,000 spellings): the
     * URL standard allows a final dot, {@code 127.0.0.1.}, and a bare {@code 0x} part meaning 0, {@code 0x.1};
     * {@code inet_aton} accepts neither, so the resolver looks them up as names.
     */
    static String resolverDisagreement(String opaque, String canonical) {
        if (parseStrictIpv4(canonical) == null) {
            return null;
        }
        if (opaque.endsWith(".")) {
            return "has a `.` after its IPv4 address (`" + opaque + "`): Spin's check reads it as " + canonical
                    + " but its resolver looks it up as a name, so it cannot connect; drop the final dot";
        }
        for (String part : opaque.split("\\.", -1)) {
            if (part.equalsIgnoreCase("0x")) {
                return "has `" + part + "` with no digits in its IPv4 address (`" + opaque + "`): Spin's check reads"
                        + " it as " + canonical + " but its resolver looks it up as a name, so it cannot connect;"
                        + " write " + canonical;
            }
        }
        return null;
    }

    private static int hex(byte b) {
        return b >= 0 ? Character.digit((char) b, 16) : -1;
    }

    private static boolean isForbiddenDomainChar(char c) {
        // WHATWG "forbidden domain code point": C0 controls, space, DEL and # % / : < > ? @ [ \ ] ^ |
        return c <= 0x20 || c == 0x7f || "#%/:<>?@[\\]^|".indexOf(c) >= 0;
    }

    private static String printable(char c) {
        return c <= 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : String.valueOf(c);
    }

    static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean startsWithMark(String s) {
        int type = Character.getType(s.codePointAt(0));
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
