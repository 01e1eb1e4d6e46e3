package dev.spindle.manifest.hosts;

import dev.spindle.manifest.text.SafeText;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An address a guest asked to connect to: {@code scheme://[user[:password]@]host[:port][/path][?query][#fragment]}.
 *
 * <p>This is the only URL parser in Spindle: the allow-list check and the code that opens the connection both use
 * the parsed value, so they can never disagree about which host is meant. For that reason {@link #host()} is
 * canonical (lower-case name, dotted-decimal IPv4, bracketed compressed IPv6) and is what must be connected to.
 *
 * <p>{@link #parse(String)} reads an address the way Spin does (see {@link UrlSyntax} and
 * {@code docs/allowed-hosts.md}). Spin reads it twice: its allow check parses a copy whose first userinfo is
 * percent-encoded ({@link #parse(String, String)}), and its Redis client connects with the address as written.
 * Where those two readings name different hosts, or where Spin's resolver would look up something other than the
 * host its check matched, {@code parse} refuses the address: Spindle then denies what Spin would deny and never
 * connects to a host Spin's check did not see.
 *
 * @param scheme   lower-case scheme, e.g. {@code redis}
 * @param user     percent-decoded user name; empty when absent or empty
 * @param password percent-decoded password; empty when absent or empty
 * @param host     canonical host; IPv6 in brackets, e.g. {@code [::1]}
 * @param port     the explicit port, if any
 * @param path     the path including its leading '/', or "" (for Redis: the database number), percent-encoded
 *                 where the URL standard encodes it
 * @param query    the query without '?', if any
 */
public record OutboundUrl(
        String scheme,
        Optional<String> user,
        Optional<String> password,
        String host,
        OptionalInt port,
        String path,
        Optional<String> query) {

    /**
     * Parses an absolute URL, as it is connected to; the scheme is required.
     *
     * @throws InvalidOutboundUrlException with a one-line message (without the userinfo) if it is not one, or if
     *     Spin would read its host differently
     */
    public static OutboundUrl parse(String url) {
        UrlSyntax.Parsed dialed;
        try {
            dialed = UrlSyntax.parse(url);
        } catch (UrlSyntax.Invalid e) {
            if (e.noScheme) {
                throw bad(url, "is not a URL: it must start with a scheme, like `redis://" + exampleHost(url) + "`");
            }
            throw bad(url, e.getMessage());
        } catch (HostSyntax.BadHost e) {
            throw bad(url, "has an invalid host: " + e.getMessage());
        }
        if (dialed.host().isEmpty()) {
            if (!url.contains("://")) {
                throw bad(url, "is not a URL: it must start with a scheme, like `redis://" + exampleHost(url) + "`");
            }
            throw bad(url, "has no host; write e.g. `" + dialed.scheme() + "://cache:6379`");
        }
        String opaque = dialed.host().get();
        String host = canonical(url, opaque);
        if (!dialed.special()) {
            checkResolvesAsMatched(url, opaque, host);
        }
        OutboundUrl checked;
        try {
            checked = parse(url, dialed.scheme());
        } catch (InvalidOutboundUrlException e) {
            throw bad(url, "is read differently by Spin's allow check, which cannot parse it;"
                    + " percent-encode `@`, `:`, `/`, `?` and `#` in the user name and password");
        }
        if (!checked.scheme().equals(dialed.scheme()) || !checked.host().equals(host)
                || !checked.port().equals(dialed.port())) {
            throw bad(url, "is ambiguous: Spin's allow check reads its host as `" + checked.authority()
                    + "` but connects to `" + authority(host, dialed.port()) + "`;"
                    + " percent-encode `@`, `:`, `/`, `?` and `#` in the user name and password");
        }
        return new OutboundUrl(dialed.scheme(), nonEmpty(dialed.username()), dialed.password(), host, dialed.port(),
                dialed.path(), dialed.query());
    }

    /**
     * Reads an address exactly as Spin's allow check ({@code OutboundUrl::parse} in
     * {@code outbound-networking-config}) does: it first percent-encodes everything between {@code ://} and the
     * first {@code @} when that {@code @} comes before the first {@code /}, then parses; if the result has no host
     * (e.g. {@code cache:6379}), it retries {@code defaultScheme://url}. If both fail, the first error is thrown.
     *
     * <p>The host found this way is the one Spin's check matches, which is not always the one a client connects to:
     * use {@link #parse(String)} for an address that will be connected to.
     */
    public static OutboundUrl parse(String url, String defaultScheme) {
        String encoded = encodeFirstUserinfo(url);
        UrlSyntax.Parsed first = null;
        RuntimeException firstError = null;
        try {
            first = UrlSyntax.parse(encoded);
        } catch (IllegalArgumentException e) {
            firstError = e;
        }
        UrlSyntax.Parsed parsed = first;
        if (first == null || first.host().isEmpty()) {
            try {
                parsed = UrlSyntax.parse(defaultScheme + "://" + encoded);
            } catch (IllegalArgumentException second) {
                RuntimeException e = firstError != null ? firstError : second;
                if (e instanceof UrlSyntax.Invalid i && i.noScheme) {
                    throw bad(url, "is not a URL: it must start with a scheme, like `redis://" + exampleHost(url) + "`");
                }
                throw bad(url, (e instanceof HostSyntax.BadHost ? "has an invalid host: " : "") + e.getMessage());
            }
            if (parsed.host().isEmpty()) {
                throw bad(url, "has no host; write e.g. `" + defaultScheme + "://cache:6379`");
            }
        }
        return new OutboundUrl(parsed.scheme(), nonEmpty(parsed.username()), parsed.password(),
                canonical(url, parsed.host().get()), parsed.port(), parsed.path(), parsed.query());
    }

    /**
     * Spin's pre-encoding step: {@code urlencoding::encode} (everything but {@code A-Za-z0-9-_.~}) of the text between
     * {@code ://} and the first {@code @}, if that {@code @} comes before the first {@code /} after {@code ://}.
     */
    private static String encodeFirstUserinfo(String url) {
        int at = url.indexOf('@');
        if (at < 0) {
            return url;
        }
        int sep = url.indexOf("://");
        int schemeEnd = sep < 0 ? 0 : sep + 3;
        int slash = url.indexOf('/', schemeEnd);
        if (slash >= 0 && at >= slash) {
            return url;
        }
        if (at < schemeEnd) {
            // Spin slices url[scheme_end..at] here, which panics: such an address never connects in Spin.
            throw bad(url, "has `@` before `://`, which Spin cannot check");
        }
        return url.substring(0, schemeEnd) + urlEncode(url.substring(schemeEnd, at)) + url.substring(at);
    }

    /** Rust's {@code urlencoding::encode}: every UTF-8 byte but {@code A-Za-z0-9-_.~} as {@code %XX}. */
    public static String urlEncode(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    /** The host as Spin's matcher reads it ({@code url::Host::parse} of the parsed host). */
    private static String canonical(String url, String parsedHost) {
        try {
            return HostSyntax.canonical(parsedHost);
        } catch (HostSyntax.BadHost e) {
            throw bad(url, "has an invalid host: " + e.getMessage());
        }
    }

    /**
     * Spin's matcher reads an opaque host with the special-host rules (percent-decoding, IPv4 numbers), but its
     * Redis client hands the opaque text to the system resolver. Refuse the hosts where the two differ, so that
     * Spindle never connects where Spin could not.
     */
    private static void checkResolvesAsMatched(String url, String opaque, String canonical) {
        if (opaque.indexOf('%') >= 0) {
            throw bad(url, "has a percent-encoded or non-ASCII host (`" + opaque + "`): Spin's check decodes it but"
                    + " its resolver looks it up as written, so it cannot connect; write the host plainly"
                    + " (an international name in its xn-- form)");
        }
        String why = HostSyntax.resolverDisagreement(opaque, canonical);
        if (why != null) {
            throw bad(url, why);
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
        return authority(host, port);
    }

    private static String authority(String host, OptionalInt port) {
        return port.isPresent() ? host + ":" + port.getAsInt() : host;
    }

    /**
     * The URL for logs and error messages: the userinfo (user name and password) shown as {@code ***@}, and the
     * query as {@code ?***}, since either may carry a credential. Host, port and path are shown as parsed (the path
     * percent-encoded where the URL standard encodes it), so the text cannot hold a control character.
     */
    public String redacted() {
        StringBuilder sb = new StringBuilder(scheme).append("://");
        if (user.isPresent() || password.isPresent()) {
            sb.append("***@");
        }
        sb.append(authority()).append(path);
        query.ifPresent(q -> sb.append("?***"));
        return sb.toString();
    }

    /** Redacted, so that a password never reaches a log through string concatenation. */
    @Override
    public String toString() {
        return redacted();
    }

    /** Longest part of an unparseable address that an error message repeats. */
    private static final int MAX_SHOWN = 200;

    private static InvalidOutboundUrlException bad(String url, String why) {
        return new InvalidOutboundUrlException(SafeText.escape(redactUserinfo(url), MAX_SHOWN), why);
    }

    /**
     * Hides the userinfo of address text that may not parse: everything between {@code ://} (or the start) and the
     * <em>last</em> {@code @} becomes {@code ***}. Any {@code @} may end a password, so masking up to the last one
     * also hides passwords holding an unencoded {@code /}, {@code ?}, {@code #} or {@code @}.
     */
    public static String redactUserinfo(String text) {
        int sep = text.indexOf("://");
        int start = sep < 0 ? 0 : sep + 3;
        int at = text.lastIndexOf('@');
        if (at < start) {
            return text;
        }
        return text.substring(0, start) + "***" + text.substring(at);
    }

    /** The text itself when it looks like {@code host[:port]} (so the fix is exact), else a placeholder. */
    private static String exampleHost(String url) {
        return url.length() <= 100 && url.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?") ? url : "cache:6379";
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

}
