package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle check} says what {@code run} will do: the exports each trigger calls. */
class CheckWhatRunDoesTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result spindle(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SpindleCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    static String wasm(String guest) {
        return Guests.path(guest + ".wasm").toString().replace("\\", "/");
    }

    Result check(String toml) throws Exception {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, "spin_manifest_version = 2\n[application]\nname = \"check-app\"\n" + toml);
        return spindle("check", manifest.toString());
    }

    Result run(String toml) throws Exception {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, "spin_manifest_version = 2\n[application]\nname = \"check-app\"\n" + toml);
        return spindle("run", "--listen", "127.0.0.1:0", manifest.toString());
    }

    @Test
    void anHttpComponentWithoutAHandlerIsRefusedByCheckAndRunAlike() throws Exception {
        String toml = """
                [[trigger.http]]
                route = "/x"
                component = "worker"
                [component.worker]
                source = "%s"
                """.formatted(wasm("trap"));
        String expected = dir.resolve("spin.toml") + ":4:1: http trigger \"worker-http-trigger\": component \"worker\" does not export"
                + " \"fermyon:spin/inbound-http#handle-request\" or \"handle-http-request\" or \"wasi:http/incoming-handler@0.2.x#handle\""
                + " (its function exports: run, _start)\n";
        Result check = check(toml);
        assertEquals(2, check.exit(), check.err());
        assertEquals("error: " + expected, check.err());
        Result run = run(toml);
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().endsWith(expected), run.err());
    }

    @Test
    void legacyAndWagiHandlersPass() throws Exception {
        Result r = check("""
                [[trigger.http]]
                route = "/legacy/..."
                component = "legacy"
                [[trigger.http]]
                route = "/wagi"
                component = "wagi"
                executor = { type = "wagi" }
                [[trigger.redis]]
                address = "redis://127.0.0.1:6379"
                channel = "c"
                component = "legacy-redis"
                [component.legacy]
                source = "%s"
                [component.wagi]
                source = "%s"
                [component.legacy-redis]
                source = "%s"
                """.formatted(wasm("legacy-http"), wasm("wagi-args"), wasm("legacy-redis-result")));
        assertEquals(0, r.exit(), r.err());
        assertEquals("valid: " + dir.resolve("spin.toml") + " (3 components, 3 triggers)\n"
                + "  http trigger \"legacy-http-trigger\" (route /legacy/...): component \"legacy\" (a core module with wit-bindgen 0.2"
                + " (Spin 1.x) exports), run calls \"handle-http-request\"\n"
                + "  http trigger \"wagi-http-trigger\" (route /wagi), WAGI: component \"wagi\" (a core module), run calls \"_start\"\n"
                + "  redis trigger \"legacy-redis-redis-trigger\" (channel c): component \"legacy-redis\" (a core module with"
                + " wit-bindgen 0.2 (Spin 1.x) exports), run calls \"handle-redis-message\"\n", r.out());
    }

    /** A Component Model binary is named as one: what run calls in it, or why a trigger cannot use it. */
    @Test
    void aComponentModelBinaryIsNamedAsOneWithTheExportRunCalls() throws Exception {
        String component = wasm("component/redis-counter.component");
        Result ok = check("""
                [[trigger.redis]]
                address = "redis://127.0.0.1:6379"
                channel = "jobs"
                component = "counter"
                [component.counter]
                source = "%s"
                """.formatted(component));
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("valid: " + dir.resolve("spin.toml") + " (1 component, 1 trigger)\n"
                + "  redis trigger \"counter-redis-trigger\" (channel jobs): component \"counter\" (a Component Model binary),"
                + " run calls \"fermyon:spin/inbound-redis@2.0.0#handle-message\"\n", ok.out());

        Result http = check("""
                [[trigger.http]]
                route = "/..."
                component = "counter"
                [component.counter]
                source = "%s"
                """.formatted(component));
        assertEquals(2, http.exit());
        assertTrue(http.err().endsWith("http trigger \"counter-http-trigger\": component \"counter\" does not export"
                + " \"fermyon:spin/inbound-http#handle-request\" or \"handle-http-request\" or \"wasi:http/incoming-handler@0.2.x#handle\""
                + " (a Component Model binary; its function exports: fermyon:spin/inbound-redis@2.0.0#handle-message)\n"), http.err());
    }

    @Test
    void aWagiEntrypointTheModuleLacksAndARedisComponentWithoutAHandlerAreNamed() throws Exception {
        Result wagi = check("""
                [[trigger.http]]
                route = "/wagi"
                component = "wagi"
                executor = { type = "wagi", entrypoint = "serve" }
                [component.wagi]
                source = "%s"
                """.formatted(wasm("wagi-args")));
        assertEquals(2, wagi.exit());
        assertTrue(wagi.err().contains("component \"wagi\" does not export \"serve\" (its function exports: _start)"), wagi.err());

        Result redis = check("""
                [[trigger.redis]]
                address = "redis://127.0.0.1:6379"
                channel = "c"
                component = "cmd"
                [component.cmd]
                source = "%s"
                """.formatted(wasm("hello-command")));
        assertEquals(2, redis.exit());
        assertTrue(redis.err().contains("redis trigger \"cmd-redis-trigger\": component \"cmd\" does not export"
                + " \"fermyon:spin/inbound-redis#handle-message\" or \"handle-redis-message\" (its function exports: _start)"), redis.err());
    }

    @Test
    void aCommandWithoutStartIsRefused() throws Exception {
        Result r = check("""
                [[trigger.command]]
                component = "reactor"
                [component.reactor]
                source = "%s"
                """.formatted(wasm("legacy-redis-result")));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("command trigger \"reactor-command-trigger\": component \"reactor\" does not export \"_start\""
                + " (its function exports: canonical_abi_realloc, handle-redis-message)"), r.err());
    }

    @Test
    void interfacesSpindleOnlyStubsAndCapabilitiesItLacksAreWarnings() throws Exception {
        Result ok = check("""
                [[trigger.http]]
                route = "/..."
                component = "legacy"
                [component.legacy]
                source = "%s"
                sqlite_databases = ["default"]
                ai_models = ["llama2-chat"]
                """.formatted(wasm("legacy-http")));
        assertEquals(0, ok.exit(), ok.err());
        String manifest = dir.resolve("spin.toml").toString();
        assertTrue(ok.err().contains("warning: " + manifest + ":7:1: component \"legacy\": sqlite_databases [default] will not work:"
                + " Spindle provides no SQLite (opening a database returns an error)\n"), ok.err());
        assertTrue(ok.err().contains("warning: " + manifest + ":7:1: component \"legacy\": ai_models [llama2-chat] will not work:"), ok.err());
    }

    @Test
    void aModuleImportingStubbedInterfacesIsWarnedAboutNamingEachInterface() throws Exception {
        Result r = check("""
                [[trigger.http]]
                route = "/..."
                component = "caller"
                executor = { type = "wagi", entrypoint = "call-sqlite-open" }
                [component.caller]
                source = "%s"
                """.formatted(wasm("unsupported-caller")));
        assertEquals(0, r.exit(), r.err());
        String manifest = dir.resolve("spin.toml").toString();
        for (String module : java.util.List.of("sqlite (SQLite)", "outbound-pg (outbound PostgreSQL)", "outbound-mysql (outbound MySQL)",
                "llm (LLM inferencing)", "fermyon:spin/postgres (outbound PostgreSQL)", "fermyon:spin/sqlite@2.0.0 (SQLite)",
                "fermyon:spin/mqtt@2.0.0 (outbound MQTT)", "fermyon:spin/llm@2.0.0 (LLM inferencing)")) {
            assertTrue(r.err().contains("warning: " + manifest + ":8:1: component \"caller\" imports " + module
                    + ", which Spindle does not provide: the module links, but its calls return the interface's error value"
                    + " \"not supported by this host\" (or trap where it has none)\n"), module + ": " + r.err());
        }
    }
}
