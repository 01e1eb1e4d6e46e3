package dev.spindle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VariablesTest {
    private static final AppManifest M = ManifestLoader.loadString("""
            spin_manifest_version = 2
            [application]
            name = "vars"
            [variables]
            greeting = { default = "hello" }
            secret = { required = true, secret = true }
            [[trigger.http]]
            route = "/"
            component = "x"
            [component.x]
            source = "x.wasm"
            variables = { message = "{{ greeting }}, {{secret}}!", plain = "p" }
            """, Path.of("spin.toml"));

    @Test
    void templatesParseAndRender() {
        Template t = Template.parse("a-{{ x }}-{{y}}{{ x }}");
        assertEquals(List.of("x", "y"), t.variableNames());
        assertEquals("a-1-21", t.render(Map.of("x", "1", "y", "2")::get));
        assertTrue(Template.parse("redis://localhost:%{port=6379}").isLiteral());
        assertThrows(IllegalArgumentException.class, () -> Template.parse("{{ open"));
    }

    @Test
    void defaultsEnvAndExplicitPrecedence() {
        VariableResolver r = VariableResolver.create(M, Map.of("SPIN_VARIABLE_GREETING", "env", "SPIN_VARIABLE_SECRET", "s"),
                Map.of("greeting", "cli"));
        assertEquals(Optional.of("cli, s!"), r.resolveComponentVariable("x", "message"));
        r = VariableResolver.create(M, Map.of("SPIN_VARIABLE_GREETING", "env", "SPIN_VARIABLE_SECRET", "s"), Map.of());
        assertEquals(Optional.of("env, s!"), r.resolveComponentVariable("x", "message"));
        r = VariableResolver.create(M, Map.of(), Map.of("secret", "s"));
        assertEquals(Optional.of("hello, s!"), r.resolveComponentVariable("x", "message"));
        assertTrue(r.isSecret("secret"));
    }

    @Test
    void requiredMissingNamesTheFix() {
        VariableResolver r = VariableResolver.create(M, Map.of(), Map.of());
        assertEquals(List.of("secret"), r.missingRequired().stream().map(VariableDecl::name).toList());
        ManifestException e = assertThrows(ManifestException.class, () -> r.resolveComponentVariable("x", "message"));
        assertTrue(e.getMessage().startsWith("spin.toml:12:"), e.getMessage());
        assertTrue(e.getMessage().contains("set SPIN_VARIABLE_SECRET or pass --variable secret=..."), e.getMessage());
        assertEquals(Optional.of("p"), r.resolveComponentVariable("x", "plain"));
    }

    @Test
    void undeclaredComponentVariableIsUndefinedNotAnError() {
        VariableResolver r = VariableResolver.create(M, Map.of(), Map.of());
        assertEquals(Optional.empty(), r.resolveComponentVariable("x", "nope"));
        assertEquals(Optional.empty(), r.resolveComponentVariable("nope", "plain"));
    }

    @Test
    void explicitValueForUndeclaredVariableIsAnError() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> VariableResolver.create(M, Map.of(), VariableResolver.parseAssignments(List.of("colour=red"))));
        assertTrue(e.getMessage().contains("--variable colour") && e.getMessage().contains("declared: greeting, secret"),
                e.getMessage());
    }

    @Test
    void requiredXorDefault() {
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.loadString("""
                spin_manifest_version = 2
                [application]
                name = "v"
                [variables]
                both = { required = true, default = "x" }
                [[trigger.http]]
                route = "/"
                component = { source = "x.wasm" }
                """, Path.of("spin.toml")));
        assertTrue(e.getMessage().startsWith("spin.toml:5:1: variable \"both\": must be `required` OR have a `default`"),
                e.getMessage());
    }
}
