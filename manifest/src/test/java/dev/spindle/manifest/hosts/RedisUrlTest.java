package dev.spindle.manifest.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one Redis address parse, shared by open, the Redis trigger and spindle check. */
class RedisUrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "redis://cache                         | false | cache       | 6379 | 0",
        "redis://cache/                        | false | cache       | 6379 | 0",
        "redis://cache:6380/15                 | false | cache       | 6380 | 15",
        "rediss://cache                        | true  | cache       | 6379 | 0",
        "rediss://cache:6390/2                 | true  | cache       | 6390 | 2",
        "redis://[::1]:7000/3                  | false | ::1         | 7000 | 3",
        "redis://cache/000000007               | false | cache       | 6379 | 7",
        "redis://127.1#fragment                | false | 127.0.0.1   | 6379 | 0",
    })
    void acceptedAddresses(String address, boolean tls, String host, int port, int database) {
        RedisUrl url = RedisUrl.parse(address);
        assertEquals(tls, url.tls());
        assertEquals(host, url.host());
        assertEquals(port, url.port());
        assertEquals(database, url.database());
    }

    /** Each of these was "allowed" by spindle check and refused by open, or "valid" as a trigger and refused by run. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "redis://cache/-1              | the path of a redis address must be /N",
        "redis://cache?db=1            | has a query",
        "redis://cache/1?password=x    | has a query",
        "redis://cache/@host           | the path of a redis address must be /N",
        "redis://cache/x               | the path of a redis address must be /N",
        "redis://cache/1/2             | the path of a redis address must be /N",
        "redis://cache/1234567890      | at most 9 digits",
        "redis://cache:99999           | out of range",
        "redis://cache:0               | port 0",
        "http://cache:6379             | is not a redis:// or rediss:// address",
        "redis+tls://cache:6379        | is not a redis:// or rediss:// address",
        "cache:6379                    | is not a URL",
    })
    void refusedAddresses(String address, String why) {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class, () -> RedisUrl.parse(address));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void aHundredThousandDigitDatabaseIsRefusedWithAShortMessage() {
        String address = "redis://cache/" + "9".repeat(100_000);
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class, () -> RedisUrl.parse(address));
        assertTrue(e.getMessage().contains("the path of a redis address must be /N"), e.getMessage());
        assertTrue(e.getMessage().length() < 600, "bounded: " + e.getMessage().length() + " characters");
    }

    @Test
    void credentialsArePercentDecodedAndNeverShown() {
        RedisUrl url = RedisUrl.parse("redis://app%3Auser:s%2Fcr%40t@cache/2");
        assertEquals(Optional.of("app:user"), url.user());
        assertEquals(Optional.of("s/cr@t"), url.password());
        assertEquals("redis://***@cache/2", url.redacted());
        assertEquals("redis://***@cache/2", url.toString());
    }

    @Test
    void aPasswordThatIsNotUtf8IsRefusedAsSpinsClientRefusesIt() {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class,
                () -> RedisUrl.parse("redis://:%FFsecret@cache"));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    /** The password holds an unencoded '/', so the authority ends inside it: never parsed, never printed. */
    @Test
    void aPasswordWithAnUnencodedSlashIsRefusedWithoutShowingIt() {
        InvalidOutboundUrlException e = assertThrows(InvalidOutboundUrlException.class,
                () -> RedisUrl.parse("redis://:sEcr3t/base64+x==@cache:6379"));
        assertFalse(e.getMessage().contains("sEcr3t"), e.getMessage());
        assertFalse(e.getMessage().contains("base64"), e.getMessage());
        assertTrue(e.getMessage().startsWith("`redis://***@cache:6379` "), e.getMessage());
    }
}
