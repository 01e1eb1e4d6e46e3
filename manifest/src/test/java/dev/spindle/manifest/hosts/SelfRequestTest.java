package dev.spindle.manifest.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link AllowedHosts#allowsSelfRequest}: Spin's check_relative_url for requests to the app itself. */
class SelfRequestTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "http://self;                 true",
        "https://self;                true",
        "*://self:*;                  true",
        "http://self.alt;             true",
        "http://self:8080;            true",
        "redis://self;                false",
        "http://localhost;            false",
        "http://127.0.0.1:3000;       false",
        "*://*:*;                     false",
    })
    void onlySelfEntriesWithAnHttpSchemeAllowRequestsToTheApp(String entry, boolean allowed) {
        assertEquals(allowed, AllowedHosts.parse(List.of(entry)).allowsSelfRequest(List.of("http", "https")));
    }

    @org.junit.jupiter.api.Test
    void noEntriesAllowNoSelfRequest() {
        assertEquals(false, AllowedHosts.denyAll().allowsSelfRequest(List.of("http", "https")));
    }
}
