package dev.spindle.manifest.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Candidate addresses read as Spin reads them (spinframework/spin at 94a8fc8a, url 2.5.8, redis 0.32.7).
 *
 * <p>Spin reads a Redis address twice. Its allow check ({@code OutboundUrl::parse} in
 * {@code outbound-networking-config}) percent-encodes the text between {@code ://} and the first {@code @} (when that
 * {@code @} precedes the first {@code /}), parses the result with the {@code url} crate, retries
 * {@code redis://<text>} if there is no host, and matches {@code url::Host::parse(host_str)}, which percent-decodes
 * and normalises IPv4 numbers even though {@code redis:} is a non-special scheme whose host is opaque. Its Redis
 * client ({@code redis::Client::open}) parses the text as written and hands the opaque host to {@code getaddrinfo}.
 *
 * <p>Columns: the address; the host Spin's check matches ({@code ERROR} when the check cannot parse it, so Spin
 * denies); what Spin's client would dial (documentation: derived from the crates' source and glibc); and Spindle's
 * host, or {@code REFUSED} with a fragment of the reason. (When the first parse fails, Spin's check retries
 * {@code redis://<address>}, which often finds the host {@code redis}: that is why some rows read so.) Spindle must refuse wherever Spin denies, and wherever it
 * accepts it must find the host Spin's check matched. Where Spin's two readings differ, Spindle refuses: Spin would
 * then either fail to connect or connect to a host its check never saw.
 */
class SpinAddressAgreementTest {

    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // plain
        "redis://cache                      | cache        | cache                       | cache",
        "redis://CACHE:6380/2               | cache        | CACHE:6380 (DNS ignores case) | cache",
        // a '#' ends the authority (the userinfo is what precedes the last '@' before it)
        "redis://:p@ss#w?rd@cache           | ss           | ss                          | ss",
        "redis://cache#@evil                | evil         | cache                       | REFUSED reads its host as `evil` but connects to `cache`",
        "redis://evil@cache#@allowed        | cache        | cache                       | cache",
        "redis://user:pass#word@cache       | cache        | nothing: port `pass`        | REFUSED has port `pass`",
        "redis://u#x@evil@cache             | cache        | u                           | REFUSED reads its host as `cache` but connects to `u`",
        // '?' and '/' in the userinfo: Spin's check encodes the first userinfo, its client does not
        "redis://u?x@cache                  | cache        | u                           | REFUSED reads its host as `cache` but connects to `u`",
        "redis://:ab/cd@cache               | redis        | nothing: empty host         | REFUSED has no host",
        "redis://:ab%2Fcd@cache             | cache        | cache                       | cache",
        "redis://:p?w@cache                 | cache        | nothing: empty host         | REFUSED has no host",
        // percent-encoded and non-ASCII hosts: the check decodes, the resolver looks the text up as written
        "redis://%63ache                    | cache        | '%63ache' (no such name)    | REFUSED percent-encoded",
        "redis://%31%32%37.0.0.1            | 127.0.0.1    | '%31%32%37.0.0.1' (no such name) | REFUSED percent-encoded",
        "redis://c%C3%A2che                 | xn--cche-boa | 'c%C3%A2che' (no such name) | REFUSED percent-encoded",
        "redis://c\u00e2che                 | xn--cche-boa | 'c%C3%A2che' (no such name) | REFUSED non-ASCII",
        "redis://%00                        | ERROR        | -                           | REFUSED invalid host",
        // IPv4 numbers: the check's Host::parse and glibc's inet_aton agree except for a final dot and a bare 0x
        "redis://2130706433                 | 127.0.0.1    | 127.0.0.1 (inet_aton)       | 127.0.0.1",
        "redis://127.1                      | 127.0.0.1    | 127.0.0.1 (inet_aton)       | 127.0.0.1",
        "redis://0x7f.1:6380                | 127.0.0.1    | 127.0.0.1 (inet_aton)       | 127.0.0.1",
        "redis://010.0.0.1                  | 8.0.0.1      | 8.0.0.1 (inet_aton, octal)  | 8.0.0.1",
        "redis://127.0.0.1.                 | 127.0.0.1    | '127.0.0.1.' looked up as a name | REFUSED after its IPv4 address",
        "redis://0x.0.0.1                   | 0.0.0.1      | '0x.0.0.1' looked up as a name | REFUSED with no digits",
        "redis://4294967296                 | ERROR        | -                           | REFUSED not a valid one",
        "redis://1.2.3.4.5                  | ERROR        | -                           | REFUSED not a valid one",
        "redis://08.0.0.1                   | ERROR        | -                           | REFUSED not a valid one",
        // punycode must be valid (the url crate's IDNA step)
        "redis://xn--bcher-kva.example      | xn--bcher-kva.example | xn--bcher-kva.example | xn--bcher-kva.example",
        "redis://xn--zz.example.com         | ERROR        | -                           | REFUSED not valid punycode",
        "redis://xn--abc-.example.com       | ERROR        | -                           | REFUSED not valid punycode",
        // tabs and newlines are removed wherever they are; C0 controls and spaces around the text are trimmed
        "'redis://ca\nche'                  | cache        | cache                       | cache",
        "'  redis://cache\t '               | cache        | cache                       | cache",
        // ports: leading zeros are fine, an empty port is no port
        "redis://cache:00006380             | cache        | cache:6380                  | cache",
        "redis://cache:                     | cache        | cache:6379                  | cache",
        "redis://cache:65536                | redis        | nothing: invalid port       | REFUSED out of range",
        // a backslash is an ordinary (forbidden) host character in a non-special URL
        "redis://cache\\evil                | redis        | nothing: invalid host       | REFUSED in its host",
        // IPv6
        "redis://[0:0::1]:6380              | [::1]        | ::1                         | [::1]",
        "redis://[::1                       | redis        | nothing: invalid IPv6       | REFUSED missing the closing",
    })
    void spindleFindsTheHostSpinChecksOrRefuses(String address, String spinChecks, String spinDials, String spindle) {
        assertEquals(spinChecks, spinCheckHost(address), "our model of Spin's allow check");
        if (spindle.startsWith("REFUSED")) {
            InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class, () -> OutboundUrl.parse(address));
            assertTrue(e.getMessage().contains(spindle.substring("REFUSED ".length())), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertThrows(InvalidOutboundUrlException.class, () -> RedisUrl.parse(address), "open refuses it too");
        } else {
            OutboundUrl url = OutboundUrl.parse(address);
            assertEquals(spindle, url.host());
            assertEquals(spinChecks, url.host(), "the host Spindle connects to is the host Spin checks");
            assertTrue(AllowedHosts.parse(List.of("redis://" + spinChecks + ":*")).allows(url));
        }
    }

    private static String spinCheckHost(String address) {
        try {
            return OutboundUrl.parse(address, "redis").host();
        } catch (InvalidOutboundUrlException e) {
            return "ERROR";
        }
    }
}
