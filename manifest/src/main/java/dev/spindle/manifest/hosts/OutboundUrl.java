package dev.spindle.manifest.hosts;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * An address a guest asked to connect to: {@code scheme://[user[:password]@]host[:port][/path][?query][#fragment]}.
 *
 * <p>This is the only URL parser in Spindle: the allow-list check and the code that opens the connection both use
 * the parsed value, so they can never disagree about which host is meant. For that reason {@link #host()} is
 * canonical (lower-case name, dotted-decimal IPv4, bracketed compressed IPv6) and is what must be connected to.
 *
 * @param scheme   lower-case scheme, e.g. {@code redis}
 * @param user     percent-decoded user name; empty when absent or empty
 * @param password percent-decoded password; empty when absent or empty
 * @param host     canonical host; IPv6 in brackets, e.g. {@code [::1]}
 * @param port     the explicit port, if any
 * @param path     the raw path including its leading '/', or "" (for Redis: the database number)
 * @param query    the raw query without '?', if any
 */
public record OutboundUrl(
        String scheme,
        Optional<String> user,
        Optional<String> password,
        String host,
        OptionalInt port,
        String path,
        Optional<String> query) {

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    /**
     * Parses an absolute URL; the scheme is required.
     *
     * @throws InvalidOutboundUrlException with a one-line message (without the password) if it is not one
     */
    public static OutboundUrl parse(String url) {
        int sep = url.indexOf("://");
        if (sep < 0 || !SCHEME.matcher(url.substring(0, sep)).matches()) {
            throw bad(url, "is not a URL: it must start with a scheme, like `redis://" + exampleHost(url) + "`");
        }
        String scheme = url.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        String rest = url.substring(sep + 3);

        // Userinfo may contain unescaped '#', '?' and '@' (real passwords do). Like Spin, treat everything before
        // the last '@' that precedes the first '/' as userinfo, so a password cannot smuggle in a different host.
        int firstSlash = rest.indexOf('/');
        int at = rest.lastIndexOf('@', firstSlash < 0 ? rest.length() - 1 : firstSlash - 1);
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            int colon = userinfo.indexOf(':');
            String u = colon < 0 ? userinfo : userinfo.substring(0, colon);
            String p = colon < 0 ? "" : userinfo.substring(colon + 1);
            user = nonEmpty(HostSyntax.percentDecode(u));
            password = nonEmpty(HostSyntax.percentDecode(p));
            rest = rest.substring(at + 1);
        }

        int authorityEnd = indexOfAny(rest, "/?#");
        String hostPort = rest.substring(0, authorityEnd);
        String tail = rest.substring(authorityEnd);

        String rawHost;
        String rawPort;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw bad(url, "has an unterminated IPv6 address; write it in brackets, like `redis://[::1]:6379`");
            }
            rawHost = hostPort.substring(0, close + 1);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw bad(url, "has `" + after + "` after the IPv6 address; only `:port` may follow it");
            }
            rawPort = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = hostPort.indexOf(':');
            rawHost = colon < 0 ? hostPort : hostPort.substring(0, colon);
            rawPort = colon < 0 ? "" : hostPort.substring(colon + 1);
        }
        if (rawHost.isEmpty()) {
            throw bad(url, "has no host; write e.g. `" + scheme + "://cache:6379`");
        }
        String host;
        try {
            host = HostSyntax.canonical(rawHost);
        } catch (HostSyntax.BadHost e) {
            throw bad(url, "has an invalid host: " + e.getMessage());
        }

        OptionalInt port = OptionalInt.empty();
        if (!rawPort.isEmpty()) { // an empty port ("host:") means no port, as in the WHATWG URL standard
            if (!HostSyntax.allDigits(rawPort)) {
                throw bad(url, "has port `" + rawPort + "`, which is not a number");
            }
            if (rawPort.length() > 5 || Integer.parseInt(rawPort) > 65535) {
                throw bad(url, "has port " + rawPort + ", which is out of range (0-65535)");
            }
            port = OptionalInt.of(Integer.parseInt(rawPort));
        }

        int fragment = tail.indexOf('#');
        if (fragment >= 0) {
            tail = tail.substring(0, fragment); // never sent anywhere, so just dropped
        }
        int q = tail.indexOf('?');
        String path = q < 0 ? tail : tail.substring(0, q);
        Optional<String> query = q < 0 ? Optional.empty() : Optional.of(tail.substring(q + 1));
        return new OutboundUrl(scheme, user, password, host, port, path, query);
    }

    /**
     * Parses like Spin's outbound check does: if {@code url} is not an absolute URL with a host (e.g.
     * {@code cache:6379}), it is retried as {@code defaultScheme://url}. If both fail, the first error is thrown.
     */
    public static OutboundUrl parse(String url, String defaultScheme) {
        try {
            return parse(url);
        } catch (InvalidOutboundUrlException first) {
            try {
                return parse(defaultScheme + "://" + url);
            } catch (InvalidOutboundUrlException second) {
                throw first;
            }
        }
    }

    public OutboundUrl {
        // Guard the invariants the matcher relies on; parse() is the normal way in.
        java.util.Objects.requireNonNull(user);
        java.util.Objects.requireNonNull(password);
        java.util.Objects.requireNonNull(port);
        java.util.Objects.requireNonNull(path);
        java.util.Objects.requireNonNull(query);
        if (scheme.isEmpty() || host.isEmpty()) {
            throw new InvalidOutboundUrlException("an outbound URL needs a scheme and a host");
        }
    }

    /** The explicit port, else the scheme's well-known default. */
    public int portOrDefault() {
        if (port.isPresent()) {
            return port.getAsInt();
        }
        return AllowedHosts.defaultPort(scheme).orElseThrow(() -> new InvalidOutboundUrlException(
                "`" + redacted() + "` has no port and " + scheme + " has no default port; write `"
                        + scheme + "://" + host + ":<port>`"));
    }

    /** {@code host[:port]}, with the port only if it was written. */
    public String authority() {
        return port.isPresent() ? host + ":" + port.getAsInt() : host;
    }

    /**
     * The URL with the password replaced by {@code ***}; safe for logs and error messages. The
     * user name is percent-encoded where it holds delimiters, so {@code redis://10.0.0.1?@cache}
     * shows as {@code redis://10.0.0.1%3F@cache}: no reader can mistake which host is meant.
     */
    public String redacted() {
        StringBuilder sb = new StringBuilder(scheme).append("://");
        if (user.isPresent() || password.isPresent()) {
            user.ifPresent(u -> sb.append(encodeUserinfo(u)));
            if (password.isPresent()) {
                sb.append(":***");
            }
            sb.append('@');
        }
        sb.append(authority()).append(path);
        query.ifPresent(q -> sb.append('?').append(q));
        return sb.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters and sub-delimiters. */
    private static String encodeUserinfo(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=".indexOf(c) >= 0;
            if (plain) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    /** Redacted, so that a password never reaches a log through string concatenation. */
    @Override
    public String toString() {
        return redacted();
    }

    private static InvalidOutboundUrlException bad(String url, String why) {
        return new InvalidOutboundUrlException("`" + redact(url) + "` " + why);
    }

    /** Best-effort password removal from text that did not parse, so error messages never leak it. */
    private static String redact(String url) {
        int sep = url.indexOf("://");
        int start = sep < 0 ? 0 : sep + 3;
        int slash = url.indexOf('/', start);
        int at = url.lastIndexOf('@', slash < 0 ? url.length() - 1 : slash - 1);
        if (at < start) {
            return url;
        }
        int colon = url.indexOf(':', start);
        if (colon < 0 || colon > at) {
            return url;
        }
        return url.substring(0, colon + 1) + "***" + url.substring(at);
    }

    private static String exampleHost(String url) {
        String h = url.contains("://") ? "" : url.replaceAll("[/?#].*$", "");
        return h.isEmpty() || h.contains("@") ? "cache:6379" : h;
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
