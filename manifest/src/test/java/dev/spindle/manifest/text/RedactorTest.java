package dev.spindle.manifest.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.Location;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.manifest.VariableResolver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void hidesEveryOccurrenceWhereverItStands() {
        Redactor r = Redactor.of(List.of("hunter2"));
        assertEquals("`redis://cache:***` has port `***`, which is not a number", r.redact("`redis://cache:hunter2` has port `hunter2`, which is not a number"));
        assertEquals("nothing to hide", r.redact("nothing to hide"));
    }

    @Test
    void hidesTheFormsAMessageShowsAValueIn() {
        Redactor r = Redactor.of(List.of("p@ss/w rd\n", "redis://:pw@10.1.2.3:7000"));
        assertEquals("user:***@host", r.redact("user:p%40ss%2Fw%20rd%0A@host"), "percent-encoded");
        assertEquals("shown as ***", r.redact("shown as p@ss/w rd\\n"), "with control characters escaped");
        assertEquals("subscribed to ***", r.redact("subscribed to redis://***@10.1.2.3:7000"), "an address as it is displayed");
    }

    @Test
    void longerValuesGoFirstAndEmptyOnesAreIgnored() {
        Redactor r = Redactor.of(List.of("abc", "abcdef", ""));
        assertEquals("*** and ***", r.redact("abcdef and abc"));
        assertTrue(Redactor.of(List.of("")).isEmpty(), "an empty value hides nothing");
        assertEquals("x *** y", Redactor.of(List.of("*", "s")).redact("x s y"), "a value inside the mask would eat the mask");
    }

    @Test
    void exceptionsKeepTheirTypeAndLocation() {
        Redactor r = Redactor.of(List.of("s3cret"));
        ManifestException e = new ManifestException(new Location(Path.of("spin.toml"), 3, 1), "entry `redis://s3cret` is bad");
        RuntimeException redacted = r.redact(e);
        assertTrue(redacted instanceof ManifestException);
        assertEquals("spin.toml:3:1: entry `redis://***` is bad", redacted.getMessage());
        ManifestException clean = new ManifestException("nothing secret here");
        assertSame(clean, r.redact(clean), "an exception without a secret is rethrown as it is");
        assertEquals("IllegalStateException: no ***", r.redact(new IllegalStateException("no s3cret")).getMessage());
    }

    @Test
    void theResolverHidesSecretVariablesOnly() {
        var app = ManifestLoader.loadString("""
                spin_manifest_version = 2
                [application]
                name = "a"
                [variables]
                password = { secret = true, default = "from-default" }
                token = { secret = true, required = true }
                host = { default = "cache.internal" }
                [[trigger.command]]
                component = "c"
                [component.c]
                source = "c.wasm"
                """, Path.of("spin.toml"));
        Redactor r = VariableResolver.create(app, Map.of("SPIN_VARIABLE_TOKEN", "from-env"), Map.of()).redactor();
        assertEquals("*** *** cache.internal", r.redact("from-default from-env cache.internal"));
    }
}
