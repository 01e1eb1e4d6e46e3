package dev.spindle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestLoaderTest {
    private static final Path F = Path.of("app/spin.toml");

    private static AppManifest load(String toml) {
        return ManifestLoader.loadString(toml, F);
    }

    private static String error(String toml) {
        return assertThrows(ManifestException.class, () -> load(toml)).getMessage();
    }

    private static AppManifest corpus(String folder, String name) throws Exception {
        return ManifestLoader.load(Corpus.shared().resolve("corpus/spin-manifests").resolve(folder).resolve(name));
    }

    @Test
    void v2MaximalModel() throws Exception {
        AppManifest m = corpus("v2", "crates__manifest__tests__ui__maximal.toml");
        assertEquals("maximal", m.application().name());
        assertEquals(Optional.of("9999.9.9"), m.application().version());
        assertEquals(List.of("alice@example.com", "bob@example.com"), m.application().authors());
        assertEquals(Map.of("global_option", true), m.application().triggerSettings().get("fake"));
        VariableDecl one = m.variables().get("var_one");
        assertEquals(Optional.of("Default"), one.defaultValue());
        assertTrue(m.variables().get("var_two").required() && m.variables().get("var_two").secret());
        assertEquals(List.of("minimal-component", "maximal-component", "fake-trigger1-component"),
                List.copyOf(m.components().keySet()));
        ComponentConfig max = m.components().get("maximal-component");
        assertInstanceOf(ComponentSource.Remote.class, max.source());
        assertEquals(Map.of("VAR", "val"), max.environment());
        assertEquals(List.of(new FileMount.Pattern("pattern/*"), new FileMount.Placement("placement", "/")), max.files());
        assertEquals(List.of(Template.parse("https://example.com:443")), max.allowedOutboundHosts());
        assertEquals(List.of("default"), max.keyValueStores());
        assertEquals(List.of("llama2-chat"), max.aiModels());
        assertTrue(max.extras().containsKey("build") && max.extras().containsKey("dependencies"));
        assertEquals(Optional.of("My fine component"), max.description());
        ComponentSource.Local a = (ComponentSource.Local) m.components().get("minimal-component").source();
        assertEquals(m.baseDir().resolve("max-a.wasm"), a.path());
        OtherTrigger t0 = (OtherTrigger) m.triggers().get(0);
        assertEquals("minimal-component-fake-trigger", t0.id());
        OtherTrigger t1 = (OtherTrigger) m.triggers().get(1);
        assertEquals("fake-trigger1", t1.id());
        assertEquals(Optional.of("fake-trigger1-component"), t1.componentId());
        assertEquals(Map.of("option", true), t1.config());
    }

    @Test
    void inlineComponentsAreNamedLikeSpin() throws Exception {
        AppManifest m = corpus("v2", "crates__manifest__tests__ui__normalization.toml");
        assertEquals(List.of("hello", "admin-handler-component", "http-trigger1-component", "inline-component1",
                "inline-component2"), List.copyOf(m.components().keySet()));
        assertEquals(List.of("hello-http-trigger", "admin-handler", "http-trigger1", "example-trigger1"),
                m.triggers().stream().map(TriggerConfig::id).toList());
        OtherTrigger ex = (OtherTrigger) m.triggers().get(3);
        assertEquals(List.of("inline-component1"), ex.components().get("inline1"));
    }

    @Test
    void v1ConversionRoutesExecutorsAndHosts() throws Exception {
        AppManifest m = load("""
                spin_manifest_version = "1"
                name = "old"
                trigger = { type = "http", base = "/base" }
                [[component]]
                id = "web_Thing"
                source = "web.wasm"
                allowed_http_hosts = ["example.com", "api.test:8080"]
                config = { greeting = "hi" }
                [component.trigger]
                route = "/web/..."
                [[component]]
                id = "cgi"
                source = "cgi.wasm"
                allowed_outbound_hosts = ["https://fermyon.com:443"]
                allowed_http_hosts = ["insecure:allow-all"]
                [component.trigger]
                route = "/cgi"
                executor = { type = "wagi" }
                """);
        assertEquals("/base", m.application().httpBase());
        HttpTrigger web = (HttpTrigger) m.triggers().get(0);
        assertEquals("trigger-web-thing", web.id());
        assertEquals(Optional.of(new HttpRoute.Wildcard("/web")), web.route());
        assertEquals(new HttpExecutor.Spin(), web.executor());
        HttpTrigger cgi = (HttpTrigger) m.triggers().get(1);
        assertEquals(new HttpExecutor.Wagi("${SCRIPT_NAME} ${ARGS}", "_start"), cgi.executor());
        assertEquals(Optional.of(new HttpRoute.Exact("/cgi")), cgi.route());
        VariableResolver vr = VariableResolver.create(m, Map.of(), Map.of());
        assertEquals(List.of("redis://*:*", "mysql://*:*", "postgres://*:*", "http://example.com", "https://example.com",
                "http://api.test:8080", "https://api.test:8080"), m.components().get("web-thing").resolvedAllowedHosts(vr));
        assertEquals(List.of("https://fermyon.com:443", "http://*:*", "https://*:*", "http://self"),
                m.components().get("cgi").resolvedAllowedHosts(vr));
        assertEquals(Optional.of("hi"), vr.resolveComponentVariable("web-thing", "greeting"));
    }

    @Test
    void v1RedisApp() throws Exception {
        AppManifest m = corpus("v1", "tests__testcases__redis-smoke-test__spin.toml");
        assertEquals("redis://localhost:%{port=6379}", m.application().redisAddress().orElseThrow().raw());
        RedisTrigger t = (RedisTrigger) m.triggers().get(0);
        assertEquals("my-channel", t.channel().raw());
        assertEquals(Optional.of("hello"), t.componentId());
    }

    @Test
    void invalidV1HttpHostIsReportedWhenResolved() throws Exception {
        AppManifest m = corpus("v1", "crates__loader__tests__ui__invalid-url-in-allowed-http-hosts.toml");
        ManifestException e = assertThrows(ManifestException.class, () -> m.components().get("hello")
                .resolvedAllowedHosts(VariableResolver.create(m, Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("contains a path"), e.getMessage());
    }

    @Test
    void duplicateRoutesNameBothLines() {
        String m = error("""
                spin_manifest_version = 2
                [application]
                name = "dup"
                [[trigger.http]]
                route = "/a"
                component = "x"
                [[trigger.http]]
                route = "/a"
                component = "x"
                [component.x]
                source = "x.wasm"
                """);
        assertTrue(m.startsWith("app/spin.toml:7:1: duplicate HTTP route \"/a\""), m);
        assertTrue(m.contains("app/spin.toml:4:1"), m);
    }

    @Test
    void unknownTriggerTypesAreValid() {
        AppManifest m = load("""
                spin_manifest_version = 2
                [application]
                name = "t"
                [[trigger.timer]]
                component = "x"
                interval_secs = 5
                [component.x]
                source = "x.wasm"
                """);
        OtherTrigger t = (OtherTrigger) m.triggers().get(0);
        assertEquals("timer", t.type());
        assertEquals(Map.of("interval_secs", 5L), t.config());
    }

    @Test
    void missingComponentReferenceHasLine() {
        String m = error("""
                spin_manifest_version = 2
                [application]
                name = "t"
                [[trigger.http]]
                route = "/"
                component = "nope"
                """);
        assertTrue(m.startsWith("app/spin.toml:6:1: trigger \"nope-http-trigger\": component \"nope\" does not exist"), m);
    }

    @Test
    void unknownTemplateVariableIsALoadError() {
        String m = error("""
                spin_manifest_version = 2
                [application]
                name = "t"
                [variables]
                host = { default = "example.com" }
                [[trigger.http]]
                route = "/"
                component = "x"
                [component.x]
                source = "x.wasm"
                allowed_outbound_hosts = ["https://{{ hots }}"]
                """);
        assertTrue(m.startsWith("app/spin.toml:11:"), m);
        assertTrue(m.contains("unknown variable \"hots\"") && m.contains("declared: host"), m);
    }

    @Test
    void parseErrorCarriesTomlPosition() {
        String m = error("spin_manifest_version = 2\n[application\n");
        assertTrue(m.startsWith("app/spin.toml:2:"), m);
        assertTrue(m.contains("TOML parse error"), m);
    }

    @Test
    void unknownFieldIsRejected() {
        String m = error("""
                spin_manifest_version = 2
                [application]
                name = "t"
                [[trigger.http]]
                route = "/"
                component = "x"
                [component.x]
                source = "x.wasm"
                allowed_hosts = []
                """);
        assertTrue(m.startsWith("app/spin.toml:9:1: unknown field `allowed_hosts` in [component.x]"), m);
    }

    @Test
    void privateRouteAndStaticResponse() {
        AppManifest m = load("""
                spin_manifest_version = 2
                [application]
                name = "t"
                [[trigger.http]]
                route = { private = true }
                component = "x"
                [[trigger.http]]
                route = "/..."
                static_response = { status_code = 404, body = "nope" }
                [component.x]
                source = "x.wasm"
                """);
        assertEquals(Optional.of(new HttpRoute.Private()), ((HttpTrigger) m.triggers().get(0)).route());
        HttpTrigger s = (HttpTrigger) m.triggers().get(1);
        assertEquals(Optional.of(new HttpRoute.Wildcard("")), s.route());
        assertEquals(404, s.staticResponse().orElseThrow().statusCode());
        assertEquals(Optional.empty(), s.componentId());
    }

    @Test
    void cronTriggerExpressionIsValidatedAtLoadWithFileAndLine() {
        String head = """
                spin_manifest_version = 2
                [application]
                name = "cron-app"
                [component.worker]
                source = "worker.wasm"
                [[trigger.cron]]
                component = "worker"
                """;
        AppManifest ok = load(head + "cron_expression = \"*/5 * * * * MON-FRI\"\n");
        CronTrigger t = (CronTrigger) ok.triggers().get(0);
        assertEquals("*/5 * * * * MON-FRI", t.cronExpression());
        assertEquals("*/5 * * * * MON-FRI", t.schedule().expression());
        assertEquals("app/spin.toml:8:1: cron trigger \"worker-cron-trigger\": cron_expression \"0 61 * * * *\": minute field \"61\": 61 is out of range 0-59",
                error(head + "cron_expression = \"0 61 * * * *\"\n"));
        assertTrue(error(head + "cron_expression = \"*/5 * * * *\"\n").startsWith(
                "app/spin.toml:8:1: cron trigger \"worker-cron-trigger\": cron_expression \"*/5 * * * *\": expected 6 fields"));
    }
}
