package dev.spindle.manifest.hosts;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed {@code allowed_outbound_hosts} entry, {@code scheme://host[:port]}. Built by {@link AllowedHosts#parse};
 * {@link #toString()} returns the entry as it was written.
 *
 * @param text   the entry as written
 * @param scheme the scheme it allows; empty for {@code *}
 * @param host   which hosts it allows
 * @param port   which ports it allows (an omitted port has already been replaced by the scheme's default)
 */
public record AllowedHost(String text, Optional<String> scheme, HostPattern host, PortPattern port) {

    public AllowedHost {
        Objects.requireNonNull(text);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(host);
        Objects.requireNonNull(port);
    }

    /** The host part of an entry. */
    public sealed interface HostPattern {
        /** {@code *}: every host, name or IP. */
        record Any() implements HostPattern {}

        /**
         * {@code *.example.com}: names strictly below the domain (not {@code example.com} itself), never IPs.
         *
         * @param suffix the lower-case domain with a leading dot, e.g. {@code .example.com}
         */
        record AnySubdomain(String suffix) implements HostPattern {}

        /**
         * {@code self} (or {@code self.alt}): the app itself, for Spin's relative-URL HTTP requests. It never
         * matches a candidate URL, because a URL always names some host; Redis can therefore never use it.
         */
        record ToSelf() implements HostPattern {}

        /**
         * One host, compared in canonical form: lower-case name, dotted IPv4, bracketed compressed IPv6. Names and
         * IPs never match each other (no DNS).
         */
        record Exact(String host) implements HostPattern {}

        /**
         * An IP range such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}. Host bits in the written address are
         * cleared (Spin truncates {@code 127.0.0.1/24} to {@code 127.0.0.0/24}). Matches IP literals only.
         */
        record Cidr(InetAddress network, int prefixLength) implements HostPattern {
            boolean contains(InetAddress address) {
                byte[] net = network.getAddress();
                byte[] a = address.getAddress();
                if (net.length != a.length) {
                    return false; // an IPv4 range never contains an IPv6 address, even a mapped one (as in Spin)
                }
                int bits = net.length * 8;
                BigInteger mask = prefixLength == 0 ? BigInteger.ZERO
                        : BigInteger.ONE.shiftLeft(prefixLength).subtract(BigInteger.ONE).shiftLeft(bits - prefixLength);
                return new BigInteger(1, a).and(mask).equals(new BigInteger(1, net));
            }
        }
    }

    /** The port part of an entry. */
    public sealed interface PortPattern {
        /** {@code *}: every port, and also a candidate with no port whose scheme has no default. */
        record Any() implements PortPattern {}

        /** One port. */
        record Exact(int port) implements PortPattern {}

        /** {@code start..endExclusive}, Rust-style: the end is NOT included, so {@code 6379..6382} is 6379-6381. */
        record Range(int start, int endExclusive) implements PortPattern {}
    }

    /** Whether this entry allows the candidate. The candidate's user, password, path and query play no part. */
    public boolean allows(OutboundUrl candidate) {
        return schemeAllows(candidate.scheme()) && hostAllows(candidate.host()) && portAllows(candidate);
    }

    private boolean schemeAllows(String candidateScheme) {
        // Exact comparison, as in Spin: candidate schemes are lower-case, so an upper-case entry scheme never matches.
        return scheme.map(candidateScheme::equals).orElse(true);
    }

    private boolean hostAllows(String candidateHost) {
        if (host instanceof HostPattern.Any) {
            return true;
        } else if (host instanceof HostPattern.AnySubdomain) {
            return HostSyntax.isDomain(candidateHost)
                    && candidateHost.endsWith(((HostPattern.AnySubdomain) host).suffix());
        } else if (host instanceof HostPattern.Exact) {
            return ((HostPattern.Exact) host).host().equals(candidateHost);
        } else if (host instanceof HostPattern.Cidr) {
            Optional<InetAddress> address = HostSyntax.address(candidateHost);
            return address.isPresent() && ((HostPattern.Cidr) host).contains(address.get());
        }
        return false; // ToSelf: only relative requests, which a URL never is
    }

    private boolean portAllows(OutboundUrl candidate) {
        if (port instanceof PortPattern.Any) {
            return true;
        }
        var candidatePort = candidate.port().isPresent() ? candidate.port() : AllowedHosts.defaultPort(candidate.scheme());
        if (candidatePort.isEmpty()) {
            return false; // no port and no default: only `:*` can allow it
        }
        int p = candidatePort.getAsInt();
        if (port instanceof PortPattern.Exact) {
            return ((PortPattern.Exact) port).port() == p;
        }
        PortPattern.Range r = (PortPattern.Range) port;
        return r.start() <= p && p < r.endExclusive();
    }

    /** The entry as written in the manifest. */
    @Override
    public String toString() {
        return text;
    }
}
