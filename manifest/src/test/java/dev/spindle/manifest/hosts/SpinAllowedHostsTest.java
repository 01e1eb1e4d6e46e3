package dev.spindle.manifest.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.spindle.manifest.hosts.AllowedHost.HostPattern;
import dev.spindle.manifest.hosts.AllowedHost.PortPattern;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every unit test of Spin's {@code crates/outbound-networking-config/src/allowed_hosts.rs} (spinframework/spin at
 * 94a8fc8a), as tables. The first column of each row names the Spin test it came from.
 *
 * <p>Spin's matching tests build candidates with {@code OutboundUrl::parse(url, scheme)}, which retries
 * {@code scheme://url} when {@code url} has no scheme; those rows use {@link OutboundUrl#parse(String, String)}.
 */
class SpinAllowedHostsTest {

    // --- Parsing: entry -> (scheme, host, port) ---------------------------------------------------------------

    static Stream<Arguments> parses() {
        return Stream.of(
                arguments("test_allowed_hosts_accepts_url_without_port", "http://spin.fermyon.dev", "http", exact("spin.fermyon.dev"), port(80)),
                arguments("test_allowed_hosts_accepts_url_without_port", "http://spin.fermyon.dev/", "http", exact("spin.fermyon.dev"), port(80)),
                arguments("test_allowed_hosts_accepts_url_without_port", "https://spin.fermyon.dev", "https", exact("spin.fermyon.dev"), port(443)),

                arguments("test_allowed_hosts_accepts_url_with_port", "http://spin.fermyon.dev:4444", "http", exact("spin.fermyon.dev"), port(4444)),
                arguments("test_allowed_hosts_accepts_url_with_port", "http://spin.fermyon.dev:4444/", "http", exact("spin.fermyon.dev"), port(4444)),
                arguments("test_allowed_hosts_accepts_url_with_port", "https://spin.fermyon.dev:5555", "https", exact("spin.fermyon.dev"), port(5555)),

                arguments("test_allowed_hosts_accepts_url_with_port_range", "http://spin.fermyon.dev:4444..5555", "http", exact("spin.fermyon.dev"), range(4444, 5555)),

                arguments("test_allowed_hosts_accepts_host_with_glob_scheme", "*://spin.fermyon.dev:7777", "*", exact("spin.fermyon.dev"), port(7777)),

                arguments("test_allowed_hosts_accepts_self", "http://self", "http", new HostPattern.ToSelf(), port(80)),

                arguments("test_allowed_hosts_accepts_localhost_addresses", "http://localhost", "http", exact("localhost"), port(80)),
                arguments("test_allowed_hosts_accepts_localhost_addresses", "http://localhost:3001", "http", exact("localhost"), port(3001)),

                arguments("test_allowed_hosts_accepts_subdomain_wildcards", "http://*.example.com", "http", new HostPattern.AnySubdomain(".example.com"), port(80)),

                arguments("test_allowed_hosts_accepts_ip_addresses", "http://192.168.1.1", "http", exact("192.168.1.1"), port(80)),
                arguments("test_allowed_hosts_accepts_ip_addresses", "http://192.168.1.1:3002", "http", exact("192.168.1.1"), port(3002)),
                arguments("test_allowed_hosts_accepts_ip_addresses", "http://[::1]:8001", "http", exact("[::1]"), port(8001)),
                arguments("test_allowed_hosts_accepts_ip_addresses", "http://[::1]", "http", exact("[::1]"), port(80)),

                arguments("test_allowed_hosts_accepts_ip_cidr", "*://127.0.0.0/24:80", "*", cidr("127.0.0.0", 24), port(80)),
                arguments("test_allowed_hosts_accepts_ip_cidr", "*://ff00::/8:80", "*", cidr("ff00::", 8), port(80)),

                arguments("test_allowed_hosts_rejects_path (empty path is allowed)", "http://spin.fermyon.dev/", "http", exact("spin.fermyon.dev"), port(80)),

                arguments("test_allowed_all_globs", "*://*:*", "*", new HostPattern.Any(), new PortPattern.Any()),

                arguments("ipv6_literal_without_port_uses_scheme_default", "http://[::1]", "http", exact("[::1]"), port(80)),
                arguments("ipv6_literal_without_port_uses_scheme_default", "https://[::1]", "https", exact("[::1]"), port(443)),
                arguments("ipv6_literal_without_port_uses_scheme_default", "http://[2001:db8::1]", "http", exact("[2001:db8::1]"), port(80)),

                arguments("ipv6_literal_with_explicit_port_still_parses", "http://[2001:db8::1]:443", "http", exact("[2001:db8::1]"), port(443)),
                arguments("ipv6_literal_with_explicit_port_still_parses", "http://[::1]:*", "http", exact("[::1]"), new PortPattern.Any()),
                arguments("ipv6_literal_with_explicit_port_still_parses", "http://[::1]:8000..9000", "http", exact("[::1]"), range(8000, 9000)),
                arguments("ipv6_literal_with_explicit_port_still_parses", "*://[::1]:80", "*", exact("[::1]"), port(80)),
                arguments("ipv6_literal_with_explicit_port_still_parses", "http://[::1]:8080/", "http", exact("[::1]"), port(8080)),

                arguments("cidr_without_port_uses_scheme_default", "http://ff00::/8", "http", cidr("ff00::", 8), port(80)),
                arguments("cidr_without_port_uses_scheme_default", "https://2001:db8::/32", "https", cidr("2001:db8::", 32), port(443)),
                arguments("cidr_without_port_uses_scheme_default", "http://::1/128", "http", cidr("::1", 128), port(80)),
                arguments("cidr_without_port_uses_scheme_default", "http://10.0.0.0/8", "http", cidr("10.0.0.0", 8), port(80)),

                arguments("ipv6_cidr_with_explicit_port_still_parses", "http://2001:db8::/32:443", "http", cidr("2001:db8::", 32), port(443)),

                // test_cidr: host bits are truncated, 127.0.0.1/24 is 127.0.0.0/24
                arguments("test_cidr", "*://127.0.0.1/24:63551", "*", cidr("127.0.0.0", 24), port(63551)),

                // valid_hosts_are_valid / variables_make_hosts_valid (the latter after resolving dbhost, dbport)
                arguments("valid_hosts_are_valid", "http://x.y", "http", exact("x.y"), port(80)),
                arguments("valid_hosts_are_valid", "*://my.db:*", "*", exact("my.db"), new PortPattern.Any()),
                arguments("variables_make_hosts_valid", "http://example.com", "http", exact("example.com"), port(80)),
                arguments("variables_make_hosts_valid", "http://example.com:1234", "http", exact("example.com"), port(1234)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("parses")
    void parses(String spinTest, String entry, String scheme, HostPattern host, PortPattern port) {
        AllowedHost parsed = AllowedHosts.parse(List.of(entry)).entries().get(0);
        assertEquals(scheme.equals("*") ? Optional.empty() : Optional.of(scheme), parsed.scheme(), "scheme");
        assertEquals(host, parsed.host(), "host");
        assertEquals(port, parsed.port(), "port");
        assertEquals(entry, parsed.toString(), "toString is the original text");
    }

    // --- Parsing: rejected entries ----------------------------------------------------------------------------

    static Stream<Arguments> rejects() {
        return Stream.concat(Stream.of(
                arguments("test_allowed_hosts_does_not_accept_plain_host_without_port", "spin.fermyon.dev"),
                arguments("test_allowed_hosts_does_not_accept_plain_host_without_scheme", "spin.fermyon.dev:80"),
                arguments("test_allowed_hosts_accepts_localhost_addresses", "localhost"),
                arguments("test_allowed_hosts_accepts_localhost_addresses", "localhost:3001"),
                arguments("test_allowed_hosts_accepts_ip_cidr (no default port for *)", "*://127.0.0.0/24"),
                arguments("test_allowed_hosts_rejects_path", "http://spin.fermyon.dev/a"),
                arguments("test_allowed_hosts_rejects_path", "http://spin.fermyon.dev:6666/a/b"),
                arguments("test_allowed_hosts_rejects_path", "http://*.fermyon.dev/a"),
                arguments("test_allowed_hosts_respects_allow_all", "insecure:allow-all"),
                arguments("test_missing_scheme", "example.com"),
                arguments("invalid_hosts_are_invalid", "zootle! wurdl!"),
                arguments("invalid_hosts_are_invalid", "}{ !!**"),
                arguments("bad_variables_make_hosts_invalid", "http://zoinks, Scooby!")),
                Stream.of(
                        rows("rejects_malformed_ipv6_allowed_hosts",
                                "http://[::1]/foo", "http://ff00::/8/extra", "http://[::1", "http://[::1]junk",
                                "http://[::1]::80", "http://[v1.]", "[::1]", "[::1]:8080"),
                        rows("rejects_invalid_allowed_host_entries",
                                "http://example.com:notaport", "http://example.com:8080..70000", "http://self:notaport",
                                "http://self.alt:notaport", "http://*:notaport", "http://127.0.0.1:notaport",
                                "http://[::1]:notaport", "http://*.example.com:notaport", "http://*.example.com:8080..",
                                "http://*.example.com:8O8O", "http://example.com:8080/p", "http://*.example.com:8080/p",
                                "http://*.example.com/p", "http://127.0.0.0/24/p", "http://[::1junk", "http://*.",
                                "http://*.:8080", "example.com:8080", "http://example%.com", "http://example%2.com",
                                "http://example%GG.com", "http://exa[mple.com", "http://exa\\mple.com",
                                "http://example.com:80:90", "http://[vG.example]"),
                        rows("invalid_explicit_port_reports_port_error",
                                "http://example.com:99999", "http://[::1]:99999", "http://ff00::/8:99999",
                                "http://*.example.com:99999"),
                        rows("rejects_double_slash_paths",
                                "http://example.com//", "http://*.example.com//", "http://self//", "http://[::1]//"),
                        rows("rejects_wildcard_non_domain_suffixes",
                                "http://*.127.0.0.1", "http://*.192.168.001.001", "http://*.[::1]", "http://*.[2001:db8::1]"))
                        .flatMap(s -> s));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("rejects")
    void rejects(String spinTest, String entry) {
        InvalidAllowedHostException e =
                assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of(entry)));
        assertEquals(entry, e.entry());
        assertTrue(e.getMessage().contains(entry), "the message names the entry: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** invalid_explicit_port_reports_port_error: the port is checked before the host, so the port is blamed. */
    @ParameterizedTest(name = "[invalid_explicit_port_reports_port_error] {0}")
    @MethodSource("portErrors")
    void invalidExplicitPortReportsPortError(String entry) {
        InvalidAllowedHostException e =
                assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of(entry)));
        assertTrue(e.getMessage().contains("has port `99999`"), e.getMessage());
    }

    static Stream<String> portErrors() {
        return Stream.of("http://example.com:99999", "http://[::1]:99999", "http://ff00::/8:99999",
                "http://*.example.com:99999");
    }

    /** test_allowed_hosts_respects_allow_all: also rejected when it is not the only entry. */
    @Test
    void allowAllIsRejectedAmongOtherEntries() {
        InvalidAllowedHostException e = assertThrows(InvalidAllowedHostException.class,
                () -> AllowedHosts.parse(List.of("spin.fermyon.dev", "insecure:allow-all")));
        assertEquals("spin.fermyon.dev", e.entry(), "the first bad entry is reported");
        e = assertThrows(InvalidAllowedHostException.class,
                () -> AllowedHosts.parse(List.of("insecure:allow-all")));
        assertTrue(e.getMessage().contains("*://*:*"), e.getMessage());
    }

    /** invalid_hosts_are_invalid: one bad entry among good ones fails the whole list. */
    @Test
    void oneBadEntryFailsTheList() {
        InvalidAllowedHostException e = assertThrows(InvalidAllowedHostException.class,
                () -> AllowedHosts.parse(List.of("http://x.y", "zootle! wurdl!", "}{ !!**")));
        assertEquals("zootle! wurdl!", e.entry());
    }

    // --- Matching ---------------------------------------------------------------------------------------------

    static Stream<Arguments> matches() {
        String specific = "*://spin.fermyon.dev:443 | http://example.com:8383";
        String wildcards = "http://*.example.com | http://*.example2.com:8383";
        return Stream.of(
                arguments("test_allowed_hosts_can_be_specific", specific, "http://example.com:8383/foo/bar", "http", true),
                arguments("test_allowed_hosts_can_be_specific", specific, "https://spin.fermyon.dev", "https", true),
                arguments("test_allowed_hosts_can_be_specific", specific, "https://spin.fermyon.dev/", "https", true),
                arguments("test_allowed_hosts_can_be_specific", specific, "http://example.com/", "http", false),
                arguments("test_allowed_hosts_can_be_specific", specific, "http://google.com/", "http", false),
                arguments("test_allowed_hosts_can_be_specific", specific, "spin.fermyon.dev:443", "https", true),
                arguments("test_allowed_hosts_can_be_specific", specific, "example.com:8383", "http", true),

                arguments("test_allowed_hosts_with_trailing_slash", "https://my.api.com/", "https://my.api.com", "https", true),
                arguments("test_allowed_hosts_with_trailing_slash", "https://my.api.com/", "https://my.api.com/", "https", true),

                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://a.example.com/foo/bar", "http", true),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://a.b.example.com/foo/bar", "http", true),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://a.b.example2.com:8383/foo/bar", "http", true),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://a.b.example2.com/foo/bar", "http", false),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://example.com/foo/bar", "http", false),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://example.com:8383/foo/bar", "http", false),
                arguments("test_allowed_hosts_can_be_subdomain_wildcards", wildcards, "http://myexample.com/foo/bar", "http", false),

                arguments("test_hash_char_in_db_password", "mysql://xyz.com", "mysql://user:pass#word@xyz.com", "mysql", true),
                arguments("test_hash_char_in_db_password", "mysql://xyz.com", "mysql://user%3Apass%23word@xyz.com", "mysql", true),
                arguments("test_hash_char_in_db_password", "mysql://xyz.com", "user%3Apass%23word@xyz.com", "mysql", true),

                arguments("test_cidr", "*://127.0.0.1/24:63551", "tcp://127.0.0.1:63551", "tcp", true),

                arguments("ipv6_literal_allows_and_denies_requests", "http://[::1]", "http://[::1]", "http", true),
                arguments("ipv6_literal_allows_and_denies_requests", "http://[::1]", "http://[::1]/some/path", "http", true),
                arguments("ipv6_literal_allows_and_denies_requests", "http://[::1]", "http://[::1]:80", "http", true),
                arguments("ipv6_literal_allows_and_denies_requests", "http://[::1]", "http://[::2]", "http", false),
                arguments("ipv6_literal_allows_and_denies_requests", "http://[::1]", "http://[::1]:81", "http", false),

                arguments("ipv6_cidr_allows_addresses_in_range", "http://2001:db8::/32", "http://[2001:db8::1]", "http", true),
                arguments("ipv6_cidr_allows_addresses_in_range", "http://2001:db8::/32", "http://[2001:db8:abcd::1]/x", "http", true),
                arguments("ipv6_cidr_allows_addresses_in_range", "http://2001:db8::/32", "http://[2001:db9::1]", "http", false),

                arguments("wildcard_subdomain_is_case_insensitive", "http://*.Example.COM", "http://foo.example.com", "http", true),
                arguments("wildcard_subdomain_is_case_insensitive", "http://*.Example.COM", "http://a.b.example.com/x", "http", true),
                arguments("wildcard_subdomain_is_case_insensitive", "http://*.Example.COM", "http://example.com", "http", false));
    }

    @ParameterizedTest(name = "[{0}] {1} vs {2} -> {4}")
    @MethodSource("matches")
    void matches(String spinTest, String entries, String candidate, String defaultScheme, boolean allowed) {
        AllowedHosts hosts = AllowedHosts.parse(split(entries));
        assertEquals(allowed, hosts.allows(OutboundUrl.parse(candidate, defaultScheme)));
    }

    // --- Candidate URL parsing --------------------------------------------------------------------------------

    @ParameterizedTest(name = "[outbound_url_handles_at_in_paths] {0}")
    @MethodSource("atInPaths")
    void outboundUrlHandlesAtInPaths(String url) {
        assertEquals("example.com", OutboundUrl.parse(url, "https").host());
    }

    static Stream<String> atInPaths() {
        return Stream.of(
                "https://example.com/file@0.1.0.json",
                "https://user:password@example.com/file@0.1.0.json",
                "https://user:pass#word@example.com/file@0.1.0.json",
                "https://user:password@example.com");
    }

    // --- Service chaining expansion ---------------------------------------------------------------------------

    @Test
    void expandWildcardServiceChainingListsAllComponents() {
        AllowedHosts hosts = AllowedHosts.parse(List.of("http://*.spin.internal"), List.of("first", "second", "third"));
        assertEquals(List.of(exact("first.spin.internal"), exact("second.spin.internal"), exact("third.spin.internal")),
                hosts.entries().stream().map(AllowedHost::host).collect(Collectors.toList()));
    }

    @Test
    void expandWildcardServiceChainingLeavesOthersUntouched() {
        AllowedHosts hosts = AllowedHosts.parse(
                List.of("pg://localhost:5656", "http://*.spin.internal", "https://spinframework.dev"),
                List.of("first", "second", "third"));
        assertEquals(List.of(exact("localhost"), exact("first.spin.internal"), exact("second.spin.internal"),
                        exact("third.spin.internal"), exact("spinframework.dev")),
                hosts.entries().stream().map(AllowedHost::host).collect(Collectors.toList()));
    }

    // --- Template resolutions (the caller resolves; these check the rules it relies on) -----------------------

    /**
     * allowed_hosts_ignores_empty_due_to_empty_variables and empty_resolutions_ignored_when_checking_validity:
     * {@code ["https://{{ one }}", "{{ two }}", "https://three"]} with one = two = "" leaves only https://three.
     * missing_variables_ignored_when_checking_validity (an unresolvable template defers its error) is purely about
     * templates, which the variables code owns; there is nothing of it left to test at this layer.
     */
    @Test
    void emptyTemplateResolutionsAreSkippedByTheCaller() {
        List<String> resolved = List.of("https://", "", "https://three");
        List<String> kept = resolved.stream().filter(r -> !AllowedHosts.isUnsetTemplateResolution(r))
                .collect(Collectors.toList());
        AllowedHosts hosts = AllowedHosts.parse(kept);
        assertEquals(List.of(exact("three")),
                hosts.entries().stream().map(AllowedHost::host).collect(Collectors.toList()));
        assertTrue(AllowedHosts.isUnsetTemplateResolution("http://"));
        assertFalse(AllowedHosts.isUnsetTemplateResolution("redis://"), "Spin skips only http(s) and empty");
        assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of("")),
                "a literal empty entry is still an error");
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private static Stream<Arguments> rows(String spinTest, String... entries) {
        return Arrays.stream(entries).map(e -> arguments(spinTest, e));
    }

    static List<String> split(String entries) {
        return Arrays.stream(entries.split("\\|")).map(String::strip).collect(Collectors.toList());
    }

    static HostPattern exact(String host) {
        return new HostPattern.Exact(host);
    }

    static PortPattern port(int port) {
        return new PortPattern.Exact(port);
    }

    static PortPattern range(int start, int endExclusive) {
        return new PortPattern.Range(start, endExclusive);
    }

    static HostPattern cidr(String network, int prefix) {
        byte[] address = HostSyntax.parseStrictIpv4(network);
        return new HostPattern.Cidr(HostSyntax.toInet(address != null ? address : HostSyntax.parseIpv6(network)), prefix);
    }
}
