package dev.spindle.manifest.hosts;

import dev.spindle.manifest.hosts.AllowedHost.HostPattern;
import dev.spindle.manifest.hosts.AllowedHost.PortPattern;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A component's {@code allowed_outbound_hosts}, parsed, and the one place that decides whether an outbound address
 * is allowed. Redis {@code open} and {@code spindle check} both ask it. Semantics follow Spin's
 * {@code outbound-networking-config/src/allowed_hosts.rs}; see {@code docs/allowed-hosts.md}.
 *
 * <p>Deny by default: an empty list allows nothing. Nothing is ever resolved through DNS, so a name entry never
 * allows an IP address and an IP entry never allows a name.
 */
public final class AllowedHosts {

    /** Spin's {@code well_known_port} table. Schemes not listed (e.g. {@code rediss}) have no default port. */
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of(
            "postgres", 5432,
            "mysql", 3306,
            "redis", 6379,
            "mqtt", 1883,
            "http", 80,
            "https", 443);

    /** Spin's service-chaining domain; {@code *.spin.internal} is expanded to one entry per component. */
    private static final String SERVICE_CHAINING_SUFFIX = ".spin.internal";

    private static final AllowedHosts DENY_ALL = new AllowedHosts(List.of());

    private final List<AllowedHost> entries;

    private AllowedHosts(List<AllowedHost> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses entries whose {@code {{ variable }}} templates have already been resolved.
     *
     * <p>Spin drops a <em>templated</em> entry that resolves to {@code ""}, {@code "http://"} or {@code "https://"}
     * (an optional endpoint left unset); only the caller knows which entries were templated, so it must drop those
     * (see {@link #isUnsetTemplateResolution}) before calling this. A literal empty entry is an error here, as in Spin.
     *
     * <p>With no component ids, {@code *.spin.internal} expands to nothing, as in Spin; see
     * {@link #parse(List, Collection)}.
     *
     * @throws InvalidAllowedHostException for the first bad entry, naming it
     */
    public static AllowedHosts parse(List<String> resolvedEntries) {
        return parse(resolvedEntries, List.of());
    }

    /**
     * Like {@link #parse(List)}, and expands Spin's service-chaining wildcard {@code scheme://*.spin.internal[:port]}
     * into one entry per component, {@code <id>.spin.internal} (each keeps the original text), as {@code spin up}
     * does. It matters only for HTTP service chaining; a Redis address never names {@code *.spin.internal}.
     */
    public static AllowedHosts parse(List<String> resolvedEntries, Collection<String> componentIds) {
        List<AllowedHost> parsed = new ArrayList<>(resolvedEntries.size());
        for (String entry : resolvedEntries) {
            AllowedHost host = parseEntry(entry);
            if (host.host() instanceof HostPattern.AnySubdomain
                    && ((HostPattern.AnySubdomain) host.host()).suffix().equals(SERVICE_CHAINING_SUFFIX)) {
                for (String id : componentIds) {
                    parsed.add(new AllowedHost(host.text(), host.scheme(),
                            new HostPattern.Exact(id + SERVICE_CHAINING_SUFFIX), host.port()));
                }
            } else {
                parsed.add(host);
            }
        }
        return new AllowedHosts(parsed);
    }

    /** Allows nothing; the same as an empty or missing {@code allowed_outbound_hosts}. */
    public static AllowedHosts denyAll() {
        return DENY_ALL;
    }

    /**
     * Whether a templated entry resolved to something Spin treats as "not set" and silently skips: {@code ""},
     * {@code "http://"} or {@code "https://"}. Apply it only to entries that contained a template.
     */
    public static boolean isUnsetTemplateResolution(String resolved) {
        return resolved.isEmpty() || resolved.equals("http://") || resolved.equals("https://");
    }

    /** The first entry that allows the candidate, if any. */
    public Optional<AllowedHost> match(OutboundUrl candidate) {
        return entries.stream().filter(e -> e.allows(candidate)).findFirst();
    }

    public boolean allows(OutboundUrl candidate) {
        return match(candidate).isPresent();
    }

    /**
     * Whether a request to the app itself (an HTTP request with a relative URL, or to
     * {@code self.alt}) is allowed: some entry is {@code self} (or {@code self.alt}) with no scheme
     * or one of {@code schemes}, as Spin's {@code check_relative_url}.
     */
    public boolean allowsSelfRequest(Collection<String> schemes) {
        return entries.stream().anyMatch(e -> e.host() instanceof HostPattern.ToSelf
                && e.scheme().map(schemes::contains).orElse(true));
    }

    /** The parsed entries, in manifest order (service-chaining wildcards expanded). */
    public List<AllowedHost> entries() {
        return entries;
    }

    /**
     * The line to add to {@code allowed_outbound_hosts} so that the candidate is allowed, e.g.
     * {@code redis://cache:6380}. The port is left out when it is the scheme's default, and is {@code *} when the
     * candidate has no port and its scheme has no default (only such an entry can allow it, as in Spin).
     */
    public static String suggestedEntry(OutboundUrl candidate) {
        String base = candidate.scheme() + "://" + candidate.host();
        OptionalInt byDefault = defaultPort(candidate.scheme());
        if (candidate.port().isEmpty()) {
            return byDefault.isPresent() ? base : base + ":*";
        }
        int port = candidate.port().getAsInt();
        return byDefault.isPresent() && byDefault.getAsInt() == port ? base : base + ":" + port;
    }

    /** The well-known port of a scheme, from Spin's table (redis 6379, http 80, ...); empty if it has none. */
    public static OptionalInt defaultPort(String scheme) {
        Integer port = DEFAULT_PORTS.get(scheme);
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    // --- entry parsing ----------------------------------------------------------------------------------------

    /** Parses one entry, following the order of Spin's {@code AllowedHostConfig::parse}, so the same error wins. */
    static AllowedHost parseEntry(String original) {
        return parseEntry(original, true);
    }

    /** With {@code suggest} false no fix is computed for path errors, so re-parsing prefixes cannot recurse. */
    private static AllowedHost parseEntry(String original, boolean suggest) {
        String entry = original.strip();
        int sep = entry.indexOf("://");
        if (sep < 0) {
            throw missingScheme(original, entry);
        }
        String schemeText = entry.substring(0, sep);
        String rest = entry.substring(sep + 3);
        if (rest.strip().startsWith("[") && !rest.contains("]")) {
            // Spin rejects this too, but via a confusing split at the last ':'; say what is actually wrong.
            throw bad(original, "is missing the closing `]` of its IPv6 address; write e.g. `"
                    + schemeText + "://[::1]:6379`");
        }

        // Split host and port at the LAST ':' -- unless the whole rest is a valid host, which is how IPv6 ranges
        // such as `ff00::/8` (no brackets, as Spin writes them) keep their colons.
        String hostText = rest;
        String portText = "";
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            String tail = rest.substring(colon + 1);
            if (tail.isEmpty()) {
                hostText = rest.substring(0, colon);
            } else if (!isValidHostPattern(rest)) {
                int slash = tail.indexOf('/');
                if (slash >= 0) {
                    if (slash + 1 < tail.length()) {
                        throw hasPath(original, entry, suggest);
                    }
                    tail = tail.substring(0, slash);
                }
                hostText = rest.substring(0, colon);
                portText = tail;
            }
        }

        PortPattern port = parsePort(original, portText, schemeText, hostText);
        Optional<String> scheme = parseScheme(original, schemeText);
        HostPattern host = parseHost(original, hostText, suggest);
        return new AllowedHost(original, scheme, host, port);
    }

    /**
     * The path error, with the longest path-free prefix that parses as the suggestion: cutting at the first '/'
     * would turn {@code ff00::/8/x} into {@code ff00::}, and a kept trailing '/' turns {@code self/} into a host
     * literally named "self".
     */
    private static InvalidAllowedHostException hasPath(String original, String entry, boolean suggest) {
        int hostStart = entry.indexOf("://") + 3;
        for (int cut = entry.lastIndexOf('/'); suggest && cut > hostStart; cut = entry.lastIndexOf('/', cut - 1)) {
            String prefix = entry.substring(0, cut);
            if (prefix.endsWith("/")) {
                continue;
            }
            try {
                parseEntry(prefix, false);
                return bad(original, "has a path, which an entry may not have; write `" + prefix + "`");
            } catch (InvalidAllowedHostException notThisOne) {
                // try a shorter prefix
            }
        }
        return bad(original, "has a path, which an entry may not have; write only scheme://host[:port]");
    }

    private static InvalidAllowedHostException missingScheme(String original, String entry) {
        if (entry.equals("insecure:allow-all")) {
            return bad(original, "is no longer supported; write `*://*:*` if you really want to allow all outbound"
                    + " networking (this turns off network sandboxing)");
        }
        if (Set.of("*", ":", "", "?").contains(entry)) {
            return bad(original, "is not an allowed host; entries look like scheme://host[:port] with `*` wildcards,"
                    + " e.g. `redis://cache:6379`; to allow all outbound networking (no sandboxing) write `*://*:*`");
        }
        return bad(original, "has no scheme; write e.g. `redis://" + entry + "`, or `*://" + entry
                + (entry.matches(".*:(\\d+|\\*)") ? "" : ":*") + "` for any scheme");
    }

    private static Optional<String> parseScheme(String original, String scheme) {
        if (scheme.equals("*")) {
            return Optional.empty();
        }
        if (scheme.startsWith("{")) {
            throw bad(original, "uses a scheme list, which is not supported; write one entry per scheme");
        }
        // Spin accepts only alphabetic schemes (so not `redis+tls`), and compares them case-sensitively.
        if (!scheme.codePoints().allMatch(Character::isAlphabetic)) {
            throw bad(original, "has scheme `" + scheme + "`, which may contain only letters; write e.g. `redis` or `*`");
        }
        return Optional.of(scheme);
    }

    private static PortPattern parsePort(String original, String port, String scheme, String hostText) {
        if (port.isEmpty()) {
            OptionalInt byDefault = defaultPort(scheme);
            if (byDefault.isEmpty()) {
                String host = hostText.strip();
                host = host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
                String example = scheme.equals("rediss") ? "6380" : "<port>";
                throw bad(original, "has no port and " + (scheme.equals("*") ? "`*`" : scheme)
                        + " has no default port; write `" + scheme + "://" + host + ":" + example + "` or `"
                        + scheme + "://" + host + ":*`");
            }
            return new PortPattern.Exact(byDefault.getAsInt());
        }
        if (port.equals("*")) {
            return new PortPattern.Any();
        }
        if (port.startsWith("{")) {
            throw bad(original, "uses a port list, which is not supported; write one entry per port, or a range"
                    + " like `6379..6382` (end excluded)");
        }
        int dots = port.indexOf("..");
        if (dots >= 0) {
            int start = parseU16(port.substring(0, dots));
            int end = parseU16(port.substring(dots + 2));
            if (start < 0 || end < 0) {
                throw badPort(original, port);
            }
            return new PortPattern.Range(start, end);
        }
        int single = parseU16(port);
        if (single < 0) {
            throw badPort(original, port);
        }
        return new PortPattern.Exact(single);
    }

    private static InvalidAllowedHostException badPort(String original, String port) {
        return bad(original, "has port `" + port + "`, which is not a port (0-65535), `*` or a range like"
                + " `6379..6382` (end excluded)");
    }

    /** Rust's {@code u16::from_str}: optional '+', decimal digits (leading zeros fine), at most 65535; -1 if not. */
    private static int parseU16(String s) {
        String digits = s.startsWith("+") ? s.substring(1) : s;
        if (!HostSyntax.allDigits(digits)) {
            return -1;
        }
        String trimmed = digits.replaceFirst("^0+(?=.)", "");
        if (trimmed.length() > 5) {
            return -1;
        }
        int value = Integer.parseInt(trimmed);
        return value > 65535 ? -1 : value;
    }

    private static boolean isValidHostPattern(String text) {
        try {
            parseHost(text, text, false);
            return true;
        } catch (InvalidAllowedHostException e) {
            return false;
        }
    }

    private static HostPattern parseHost(String original, String hostText, boolean suggest) {
        String host = hostText.strip();
        if (host.equals("*")) {
            return new HostPattern.Any();
        }
        if (host.equals("self") || host.equals("self.alt")) {
            return new HostPattern.ToSelf();
        }
        if (host.startsWith("{")) {
            throw bad(original, "uses a host list, which is not supported; write one entry per host");
        }
        Optional<HostPattern.Cidr> cidr = parseCidr(host);
        if (cidr.isPresent()) {
            return cidr.get();
        }
        if (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1); // one trailing slash is an empty path, which is fine
        }
        if (host.contains("/")) {
            throw hasPath(original, original.strip(), suggest);
        }
        if (host.startsWith("*.")) {
            String domain = host.substring(2);
            if (domain.contains("*")) {
                throw bad(original, "has `*` inside the host; `*` may only be the whole host or a subdomain prefix"
                        + " like `*.example.com`");
            }
            String canonical = canonicalHost(original, domain);
            if (!HostSyntax.isDomain(canonical)) {
                throw bad(original, "puts `*.` before an IP address; use a CIDR range like `10.0.0.0/8` instead");
            }
            return new HostPattern.AnySubdomain("." + canonical);
        }
        if (host.contains("*")) {
            throw bad(original, "has `*` inside the host; `*` may only be the whole host or a subdomain prefix"
                    + " like `*.example.com`");
        }
        return new HostPattern.Exact(canonicalHost(original, host));
    }

    private static String canonicalHost(String original, String host) {
        try {
            return HostSyntax.canonical(host);
        } catch (HostSyntax.BadHost e) {
            throw bad(original, "has an invalid host: " + e.getMessage());
        }
    }

    /**
     * {@code address/prefix} as Spin's {@code ip_network} crate reads it: split at the first '/', a plain IPv4 or
     * unbracketed IPv6 address, a prefix no longer than the address; host bits are cleared.
     */
    private static Optional<HostPattern.Cidr> parseCidr(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            return Optional.empty();
        }
        String ip = text.substring(0, slash);
        byte[] address = HostSyntax.parseStrictIpv4(ip);
        if (address == null) {
            address = HostSyntax.parseIpv6(ip);
        }
        int prefix = parseU8(text.substring(slash + 1));
        if (address == null || prefix < 0 || prefix > address.length * 8) {
            return Optional.empty();
        }
        for (int bit = prefix; bit < address.length * 8; bit++) {
            address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        InetAddress network = HostSyntax.toInet(address);
        return Optional.of(new HostPattern.Cidr(network, prefix));
    }

    private static int parseU8(String s) {
        int v = parseU16(s);
        return v > 255 ? -1 : v;
    }

    private static InvalidAllowedHostException bad(String entry, String why) {
        return new InvalidAllowedHostException(entry, "`" + entry + "` " + why);
    }
}
