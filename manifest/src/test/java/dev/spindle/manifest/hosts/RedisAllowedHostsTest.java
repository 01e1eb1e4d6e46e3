package dev.spindle.manifest.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spindle's own cases, beyond Spin's table: what a Redis guest's {@code open(address)} runs into. */
class RedisAllowedHostsTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
        // default port: redis -> 6379
        "redis://cache;                 redis://cache:6379;               true",
        "redis://cache;                 redis://cache;                    true",
        "redis://cache;                 redis://cache:6380;               false",
        "redis://cache;                 redis://CACHE:6379;               true",
        "redis://Cache;                 redis://cache;                    true",
        // rediss has no default port, so entries must give one; userinfo, db path and query are ignored
        "rediss://cache:6380;           rediss://user:pw@cache:6380/2;    true",
        "rediss://cache:6380;           rediss://cache;                   false",
        "rediss://cache:*;              rediss://cache;                   true",
        // scheme must match exactly
        "redis://cache;                 rediss://cache:6379;              false",
        "rediss://cache:6379;           redis://cache:6379;               false",
        "*://cache:6379;                rediss://cache:6379;              true",
        // port ranges are end-exclusive
        "redis://h:6379..6382;          redis://h:6379;                   true",
        "redis://h:6379..6382;          redis://h:6381;                   true",
        "redis://h:6379..6382;          redis://h:6382;                   false",
        "redis://h:6379..6382;          redis://h;                        true",
        "redis://h:6379..6382;          redis://h:6378;                   false",
        // CIDR
        "redis://10.0.0.0/24;           redis://10.0.0.7;                 true",
        "redis://10.0.0.0/24;           redis://10.0.0.255:6379;          true",
        "redis://10.0.0.0/24;           redis://10.0.1.1;                 false",
        "redis://10.0.0.0/24;           redis://10.0.0.7:6380;            false",
        "redis://10.0.0.0/8:*;          redis://10.20.30.40:7000/1;       true",
        "redis://fd00::/8:*;            redis://[fd12::1]:7000;           true",
        // no DNS: names never match IP entries, IPs never match name entries
        "redis://10.0.0.0/24;           redis://localhost;                false",
        "redis://127.0.0.1;             redis://localhost;                false",
        "redis://localhost;             redis://127.0.0.1;                false",
        "redis://*.example.com;         redis://10.0.0.1;                 false",
        // IPv6 by value
        "redis://[::1]:6379;            redis://[::1]:6379;               true",
        "redis://[::1]:6379;            redis://[0:0:0:0:0:0:0:1];        true",
        "redis://[0:0:0:0:0:0:0:1];     redis://[::1]:6379;               true",
        "redis://[::1]:6379;            redis://[::2]:6379;               false",
        "redis://[::1]:6379;            redis://127.0.0.1:6379;           false",
        // IPv4 spellings are read as Spin (WHATWG) reads them
        "redis://127.0.0.1;             redis://127.1;                    true",
        "redis://8.0.0.1;               redis://010.0.0.1;                true",
        // userinfo in the candidate is ignored, including odd passwords
        "redis://cache;                 redis://user:secret@cache;        true",
        // ... but a `#` ends the authority (WHATWG, as in Spin): this names host `ss`, not `cache`
        "redis://cache;                 redis://:p@ss#w?rd@cache:6379/0;  false",
        "redis://ss;                    redis://:p@ss#w?rd@cache:6379/0;  true",
        "redis://cache;                 redis://:p%40ss%23w%3Frd@cache;   true",
        "redis://cache;                 redis://:pw@evil.com@cache;       true",
        "redis://evil.com;              redis://:pw@evil.com@cache;       false",
        // subdomains but not the apex
        "redis://*.example.com;         redis://a.example.com;            true",
        "redis://*.example.com;         redis://example.com;              false",
        // wildcards
        "*://*:*;                       redis://anything:1;               true",
        "*://*:*;                       rediss://[::1];                   true",
        "redis://*:*;                   redis://10.1.2.3:1234;            true",
        "redis://*;                     redis://10.1.2.3;                 true",
        "redis://*;                     redis://10.1.2.3:1234;            false",
        // self never allows a URL
        "redis://self;                  redis://self;                     false",
        "redis://self;                  redis://localhost;                false",
    })
    void redisMatching(String entry, String candidate, boolean allowed) {
        assertEquals(allowed, AllowedHosts.parse(List.of(entry)).allows(OutboundUrl.parse(candidate)));
    }

    @Test
    void denyByDefault() {
        OutboundUrl url = OutboundUrl.parse("redis://cache");
        assertFalse(AllowedHosts.denyAll().allows(url));
        assertFalse(AllowedHosts.parse(List.of()).allows(url));
        assertTrue(AllowedHosts.parse(List.of()).entries().isEmpty());
    }

    @Test
    void matchReturnsTheFirstAllowingEntry() {
        AllowedHosts hosts = AllowedHosts.parse(List.of("redis://other", "redis://*:*", "redis://cache"));
        assertEquals("redis://*:*", hosts.match(OutboundUrl.parse("redis://cache")).orElseThrow().toString());
        assertEquals(Optional.empty(), hosts.match(OutboundUrl.parse("rediss://cache:6379")));
    }

    @Test
    void redissWithoutPortIsAParseError() {
        InvalidAllowedHostException e = assertThrows(InvalidAllowedHostException.class,
                () -> AllowedHosts.parse(List.of("redis://ok", "rediss://cache")));
        assertEquals("rediss://cache", e.entry());
        assertEquals("`rediss://cache` has no port and rediss has no default port;"
                + " write `rediss://cache:6380` or `rediss://cache:*`", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "redis://;                 has no host",
        "cache:6379;               must start with a scheme, like `redis://cache:6379`",
        "redis://host:99999;       out of range",
        "redis://host:63a9;        not a number",
        "redis://[::1;             missing the closing `]`",
        "redis://[::1]x:6379;      after the IPv6 address",
        "redis://[::g]:6379;       not a valid IPv6 address",
        "redis://a b;              which is not allowed",
        "redis://:secret@;         has no host",
        "redis://u:secret@h:x;     not a number",
    })
    void unparseableCandidates(String url, String why) {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class, () -> OutboundUrl.parse(url));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), "never leaks the password: " + e.getMessage());
    }

    @Test
    void parsesEveryPartOfARedisUrl() {
        OutboundUrl url = OutboundUrl.parse("REDIS://us%40er:p%3Ass@Cache.Example.COM:6380/2?timeout=5#frag");
        assertEquals(new OutboundUrl("redis", Optional.of("us@er"), Optional.of("p:ss"), "cache.example.com",
                OptionalInt.of(6380), "/2", Optional.of("timeout=5")), url);
        assertEquals(6380, url.portOrDefault());
        assertEquals("redis://***@cache.example.com:6380/2?***", url.redacted(), "userinfo and query are hidden");
        assertEquals(url.redacted(), url.toString(), "toString never shows the password");
    }

    /** Spin's check reads `cache.internal` (it encodes the first userinfo), its client dials `10.0.0.1`. */
    @Test
    void aQuestionMarkBeforeTheAtIsRefusedBecauseSpinWouldCheckOneHostAndDialAnother() {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class,
                () -> OutboundUrl.parse("redis://10.0.0.1?@cache.internal"));
        assertTrue(e.getMessage().contains("reads its host as `cache.internal` but connects to `10.0.0.1`"), e.getMessage());
        assertEquals("cache.internal", OutboundUrl.parse("redis://10.0.0.1%3F@cache.internal").host(), "encoded, it is fine");
    }

    /** A `#` ends the authority: the password is `p` and the host `ss`, as both of Spin's parsers read it. */
    @Test
    void aHashInThePasswordEndsTheAuthorityAsInSpin() {
        OutboundUrl url = OutboundUrl.parse("redis://:p@ss#w?rd@cache");
        assertEquals(Optional.empty(), url.user());
        assertEquals(Optional.of("p"), url.password());
        assertEquals("ss", url.host());
        assertEquals("", url.path());
        assertEquals("redis://***@ss", url.redacted());
        OutboundUrl encoded = OutboundUrl.parse("redis://:p%40ss%23w%3Frd@cache");
        assertEquals(Optional.of("p@ss#w?rd"), encoded.password());
        assertEquals("cache", encoded.host());
    }

    @Test
    void ipv6CandidatesAreCanonical() {
        OutboundUrl url = OutboundUrl.parse("redis://[0:0:0:0:0:0:0:1]:6379/0");
        assertEquals("[::1]", url.host());
        assertEquals("[2001:db8::1:0:0:1]", OutboundUrl.parse("redis://[2001:DB8:0:0:1:0:0:1]").host());
        assertEquals("[::ffff:a00:1]", OutboundUrl.parse("redis://[::ffff:10.0.0.1]").host());
    }

    @Test
    void portOrDefaultFailsWithoutADefault() {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class,
                () -> OutboundUrl.parse("rediss://:secret@cache").portOrDefault());
        assertTrue(e.getMessage().contains("rediss has no default port"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "redis://cache:6380;               redis://cache:6380",
        "redis://cache:6379;               redis://cache",
        "redis://user:pw@cache/3;          redis://cache",
        "rediss://cache:6380;              rediss://cache:6380",
        "rediss://cache;                   rediss://cache:*",
        "redis://[0:0::1]:7000;            redis://[::1]:7000",
        "redis://CACHE;                    redis://cache",
    })
    void suggestedEntryAllowsTheCandidate(String candidate, String expected) {
        OutboundUrl url = OutboundUrl.parse(candidate);
        String suggestion = AllowedHosts.suggestedEntry(url);
        assertEquals(expected, suggestion);
        assertTrue(AllowedHosts.parse(List.of(suggestion)).allows(url), "the suggestion really allows it");
    }

    @Test
    void defaultPortsAreSpinsTable() {
        assertEquals(OptionalInt.of(6379), AllowedHosts.defaultPort("redis"));
        assertEquals(OptionalInt.of(80), AllowedHosts.defaultPort("http"));
        assertEquals(OptionalInt.of(443), AllowedHosts.defaultPort("https"));
        assertEquals(OptionalInt.of(5432), AllowedHosts.defaultPort("postgres"));
        assertEquals(OptionalInt.of(3306), AllowedHosts.defaultPort("mysql"));
        assertEquals(OptionalInt.of(1883), AllowedHosts.defaultPort("mqtt"));
        assertEquals(OptionalInt.empty(), AllowedHosts.defaultPort("rediss"));
        assertEquals(OptionalInt.empty(), AllowedHosts.defaultPort("tcp"));
    }

    /** Spin quirks, pinned so that a "fix" is a deliberate decision. */
    @Test
    void spinQuirks() {
        // Entry schemes are compared case-sensitively against lower-cased candidate schemes.
        assertFalse(AllowedHosts.parse(List.of("REDIS://cache:6379")).allows(OutboundUrl.parse("redis://cache")));
        // A trailing slash after `self` makes it a host literally named "self".
        assertEquals(new AllowedHost.HostPattern.Exact("self"),
                AllowedHosts.parse(List.of("http://self/")).entries().get(0).host());
        // A trailing slash after `*` is an error.
        assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of("http://*/")));
        // A backwards range is accepted and allows nothing.
        assertFalse(AllowedHosts.parse(List.of("redis://h:7000..6000")).allows(OutboundUrl.parse("redis://h:6500")));
        // An IPv4 range does not contain IPv4-mapped IPv6 addresses.
        assertFalse(AllowedHosts.parse(List.of("redis://10.0.0.0/8")).allows(OutboundUrl.parse("redis://[::ffff:10.0.0.1]")));
        // Bracketed CIDR is not a range (Spin writes IPv6 ranges without brackets).
        assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of("redis://[fd00::]/8")));
    }

    /** Suggesting a fix for a path re-parses prefixes; that must stay cheap however many slashes there are. */
    @org.junit.jupiter.api.Timeout(5)
    @Test
    void manySlashesFailFast() {
        String entry = "redis://cache" + "/x".repeat(200);
        InvalidAllowedHostException e =
                assertThrows(InvalidAllowedHostException.class, () -> AllowedHosts.parse(List.of(entry)));
        assertTrue(e.getMessage().endsWith("write `redis://cache`"), e.getMessage());
    }
}
