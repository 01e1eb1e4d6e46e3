package dev.spindle.manifest;

import dev.spindle.manifest.cron.CronSchedule;
import dev.spindle.manifest.cron.InvalidCronExpressionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Parsing shared by the v2 reader and the v1 converter, plus whole-manifest validation. */
class ModelBuilder {
    static final Set<String> V2_COMPONENT_KEYS = Set.of("source", "description", "variables", "environment", "files",
            "exclude_files", "allowed_http_hosts", "allowed_outbound_hosts", "key_value_stores", "sqlite_databases",
            "ai_models", "targets", "build", "tool", "dependencies_inherit_configuration", "dependencies", "profile");
    static final Set<String> V2_EXTRA_KEYS = Set.of("targets", "build", "tool", "dependencies_inherit_configuration",
            "dependencies", "profile");

    final ManifestLoader.Reader r;

    ModelBuilder(ManifestLoader.Reader r) {
        this.r = r;
    }

    Map<String, VariableDecl> variables(TomlTable root) {
        Map<String, VariableDecl> out = new LinkedHashMap<>();
        Optional<TomlTable> vars = r.optTable(root, "variables", "variables");
        if (vars.isEmpty()) {
            return out;
        }
        TomlTable t = vars.get();
        for (String name : t.keySet()) {
            Location where = r.loc(t, name);
            Ids.lowerSnakeProblem(name).ifPresent(p -> {
                throw r.fail(where, "variable name \"" + name + "\": " + p
                        + "; variable names are lower_snake_case, e.g. \"api_key\"");
            });
            Object v = t.get(List.of(name));
            if (!(v instanceof TomlTable vt)) {
                throw r.fail(where, "variable \"" + name + "\": expected a table such as { default = \"...\" } or"
                        + " { required = true }, got " + ManifestLoader.Reader.typeName(v));
            }
            String ctx = "variables." + name;
            r.checkKeys(vt, Set.of("description", "required", "default", "secret"), "[" + ctx + "]", where);
            Optional<String> dflt = r.optString(vt, "default", ctx);
            boolean required = r.optBool(vt, "required", ctx);
            if (required == dflt.isPresent()) {
                throw r.fail(where, "variable \"" + name + "\": must be `required` OR have a `default`; write "
                        + name + " = { required = true } or " + name + " = { default = \"...\" }");
            }
            out.put(name, new VariableDecl(name, dflt, required, r.optBool(vt, "secret", ctx),
                    r.optString(vt, "description", ctx), where));
        }
        return out;
    }

    /** A component table (v2 shape; v1 callers pass their converted pieces through {@code v1}). */
    ComponentConfig component(String id, TomlTable t, Location where, V1Parts v1) {
        String ctx = "component." + id;
        if (t.get(List.of("source")) == null) {
            throw r.fail(where, "component \"" + id + "\": missing field `source`; add source = \"path/to/component.wasm\"");
        }
        ComponentSource source = source(t, ctx);
        List<Template> outbound = new ArrayList<>();
        List<String> outboundRaw = r.stringList(t, "allowed_outbound_hosts", ctx);
        TomlArray hostsArray = t.getArray(List.of("allowed_outbound_hosts"));
        for (int i = 0; i < outboundRaw.size(); i++) {
            Location l = r.loc(hostsArray, i, r.loc(t, "allowed_outbound_hosts"));
            outbound.add(r.template(outboundRaw.get(i), l, ctx + ".allowed_outbound_hosts"));
        }
        if (v1 != null && t.get(List.of("allowed_outbound_hosts")) == null) {
            for (String h : HttpHostsCompat.V1_DATABASE_DEFAULTS) {
                outbound.add(Template.parse(h, where));
            }
        }
        Map<String, Template> vars = new LinkedHashMap<>();
        String varsKey = v1 != null ? "config" : "variables";
        Optional<TomlTable> vt = r.optTable(t, varsKey, ctx);
        if (vt.isPresent()) {
            for (String k : vt.get().keySet()) {
                Location l = r.loc(vt.get(), k);
                Ids.lowerSnakeProblem(k).ifPresent(p -> {
                    throw r.fail(l, "component \"" + id + "\" variable \"" + k + "\": " + p
                            + "; variable names are lower_snake_case, e.g. \"api_key\"");
                });
                String raw = r.optString(vt.get(), k, ctx + "." + varsKey).orElseThrow();
                vars.put(k, r.template(raw, l, ctx + "." + varsKey + "." + k));
            }
        }
        List<FileMount> files = new ArrayList<>();
        Object f = t.get(List.of("files"));
        if (f != null) {
            if (!(f instanceof TomlArray fa)) {
                throw r.wrongType(t, "files", ctx, "an array");
            }
            for (int i = 0; i < fa.size(); i++) {
                Object e = fa.get(i);
                Location l = r.loc(fa, i, r.loc(t, "files"));
                if (e instanceof String s) {
                    files.add(new FileMount.Pattern(s));
                } else if (e instanceof TomlTable et && et.get(List.of("source")) instanceof String s
                        && et.get(List.of("destination")) instanceof String d && et.size() == 2) {
                    files.add(new FileMount.Placement(s, d));
                } else {
                    throw r.fail(l, ctx + ".files[" + i + "]: expected a glob string or { source = \"dir\","
                            + " destination = \"/path\" }");
                }
            }
        }
        List<String> kv = labels(t, "key_value_stores", ctx);
        List<String> sqlite = labels(t, "sqlite_databases", ctx);
        Map<String, Object> extras = new LinkedHashMap<>();
        for (String k : V2_EXTRA_KEYS) {
            if (t.get(List.of(k)) != null) {
                extras.put(k, r.plain(t.get(List.of(k))));
            }
        }
        Optional<String> description = r.optString(t, "description", ctx).filter(s -> !s.isEmpty());
        return new ComponentConfig(id, source, outbound, r.stringList(t, "allowed_http_hosts", ctx),
                r.stringMap(t, "environment", ctx), files, r.stringList(t, "exclude_files", ctx), vars, kv, sqlite,
                r.stringList(t, "ai_models", ctx), description, extras, where);
    }

    /** Marker for v1 conversion differences. */
    static final class V1Parts {
    }

    private List<String> labels(TomlTable t, String key, String ctx) {
        List<String> out = r.stringList(t, key, ctx);
        for (String s : out) {
            if (Ids.kebabProblem(s).isPresent() && Ids.lowerSnakeProblem(s.toLowerCase(java.util.Locale.ROOT)).isPresent()) {
                throw r.fail(r.loc(t, key), ctx + "." + key + ": \"" + s + "\" is not kebab-case or snake_case;"
                        + " use a label such as \"default\" or \"my-store\"");
            }
        }
        return out;
    }

    private ComponentSource source(TomlTable t, String ctx) {
        Object s = t.get(List.of("source"));
        Location l = r.loc(t, "source");
        if (s instanceof String path) {
            return new ComponentSource.Local(r.baseDir.resolve(path).normalize());
        }
        if (s instanceof TomlTable st) {
            if (st.keySet().equals(Set.of("url", "digest")) && st.get(List.of("url")) instanceof String u
                    && st.get(List.of("digest")) instanceof String d) {
                return new ComponentSource.Remote(u, d);
            }
            if (st.get(List.of("package")) instanceof String p && st.get(List.of("version")) instanceof String v
                    && Set.of("registry", "package", "version").containsAll(st.keySet())) {
                return new ComponentSource.Registry(r.optString(st, "registry", ctx + ".source"), p, v);
            }
        }
        throw r.fail(l, ctx + ".source: expected \"path/to/file.wasm\", { url = \"...\", digest = \"sha256:...\" }"
                + " or { registry = \"...\", package = \"ns:name\", version = \"1.0.0\" }");
    }

    /**
     * Builds a typed trigger from its type-specific keys. {@code t} may still hold {@code id},
     * {@code component}, {@code components} and {@code dependencies}; they are skipped.
     */
    TriggerConfig trigger(String type, String id, Optional<String> componentId, Map<String, List<String>> roles,
                          TomlTable t, Location where) {
        String ctx = "trigger." + type + " \"" + id + "\"";
        Set<String> common = Set.of("id", "component", "components", "dependencies");
        switch (type) {
            case "http": {
                r.checkKeys(t, union(common, Set.of("route", "executor", "static_response")), "[[trigger.http]]", where);
                Optional<HttpRoute> route = Optional.empty();
                Object rv = t.get(List.of("route"));
                if (rv instanceof String s) {
                    route = Optional.of(route(s));
                } else if (rv instanceof TomlTable rt) {
                    r.checkKeys(rt, Set.of("private"), "route", r.loc(t, "route"));
                    if (!r.optBool(rt, "private", ctx + ".route")) {
                        throw r.fail(r.loc(t, "route"), ctx + ": route must be a string pattern or"
                                + " { private = true }; got { private = false }");
                    }
                    route = Optional.of(new HttpRoute.Private());
                } else if (rv != null) {
                    throw r.wrongType(t, "route", ctx, "a string such as \"/path/...\" or { private = true }");
                }
                Optional<StaticResponse> sr = Optional.empty();
                Optional<TomlTable> srt = r.optTable(t, "static_response", ctx);
                if (srt.isPresent()) {
                    TomlTable st = srt.get();
                    r.checkKeys(st, Set.of("status_code", "headers", "body"), "static_response", r.loc(t, "static_response"));
                    Object code = st.get(List.of("status_code"));
                    if (code != null && !(code instanceof Long)) {
                        throw r.wrongType(st, "status_code", ctx + ".static_response", "an integer");
                    }
                    sr = Optional.of(new StaticResponse(code == null ? 200 : ((Long) code).intValue(),
                            r.stringMap(st, "headers", ctx + ".static_response"), r.optString(st, "body", ctx)));
                }
                if (sr.isPresent() == componentId.isPresent()) {
                    throw r.fail(where, "HTTP trigger \"" + id + "\" must specify either `component` or"
                            + " `static_response` - it has " + (sr.isPresent() ? "both" : "neither"));
                }
                return new HttpTrigger(id, componentId, route, executor(t, ctx), sr, where);
            }
            case "redis": {
                if (t.get(List.of("stream")) != null || t.get(List.of("group")) != null) {
                    return streamTrigger(id, componentId, t, where, ctx, common);
                }
                Set<String> streamOnly = new java.util.TreeSet<>(STREAM_KEYS);
                streamOnly.retainAll(t.keySet());
                if (!streamOnly.isEmpty()) {
                    String key = streamOnly.iterator().next();
                    throw r.fail(r.loc(t, key), ctx + ": `" + key + "` belongs to a stream trigger; add stream = \"...\""
                            + " and group = \"...\" (and remove channel), or remove `" + key + "`");
                }
                r.checkKeys(t, union(common, Set.of("channel", "address")), "[[trigger.redis]]", where);
                requireComponent(componentId, type, id, where);
                String channel = r.reqString(t, "channel", ctx, where, "add channel = \"my-channel\"");
                Optional<Template> address = r.optString(t, "address", ctx)
                        .map(a -> r.template(a, r.loc(t, "address"), ctx + ".address"));
                return new RedisTrigger(id, componentId, r.template(channel, r.loc(t, "channel"), ctx + ".channel"),
                        address, where);
            }
            case "command":
                requireComponent(componentId, type, id, where);
                return new CommandTrigger(id, componentId, where);
            case "cron": {
                requireComponent(componentId, type, id, where);
                String expr = r.reqString(t, "cron_expression", ctx, where, "add cron_expression = \"0 * * * * *\"");
                try {
                    CronSchedule.parse(expr);
                } catch (InvalidCronExpressionException e) {
                    throw r.fail(r.loc(t, "cron_expression"), "cron trigger \"" + id + "\": cron_expression \"" + expr
                            + "\": " + e.getMessage());
                }
                return new CronTrigger(id, componentId, expr, where);
            }
            default: {
                Map<String, Object> config = new LinkedHashMap<>();
                for (String k : t.keySet()) {
                    if (!common.contains(k)) {
                        config.put(k, r.plain(t.get(List.of(k))));
                    }
                }
                if (t.get(List.of("dependencies")) != null) {
                    config.put("dependencies", r.plain(t.get(List.of("dependencies"))));
                }
                return new OtherTrigger(id, type, componentId, roles, config, where);
            }
        }
    }

    /** The keys only a stream trigger has (besides {@code stream} and {@code group}). */
    private static final Set<String> STREAM_KEYS = Set.of("consumer", "payload_field", "max_deliveries",
            "reclaim_idle_ms", "dead_letter_stream");

    /** {@code [[trigger.redis]]} with {@code stream} and {@code group}: a consumer-group member ({@link RedisStreamTrigger}). */
    private RedisStreamTrigger streamTrigger(String id, Optional<String> componentId, TomlTable t, Location where,
                                             String ctx, Set<String> common) {
        if (t.get(List.of("channel")) != null) {
            throw r.fail(r.loc(t, "channel"), ctx + ": a redis trigger has either `channel` (pub/sub) or `stream` and"
                    + " `group` (a consumer group), not both");
        }
        Set<String> keys = union(common, union(STREAM_KEYS, Set.of("stream", "group", "address")));
        r.checkKeys(t, keys, "[[trigger.redis]] with stream", where);
        requireComponent(componentId, "redis", id, where);
        String stream = r.reqString(t, "stream", ctx, where, "add stream = \"my-stream\" next to group");
        String group = r.reqString(t, "group", ctx, r.loc(t, "stream"), "add group = \"workers\": the consumer group"
                + " the replicas share");
        String payloadField = r.optString(t, "payload_field", ctx).orElse(RedisStreamTrigger.DEFAULT_PAYLOAD_FIELD);
        if (payloadField.isEmpty()) {
            throw r.fail(r.loc(t, "payload_field"), ctx + ".payload_field: must not be empty");
        }
        int maxDeliveries = (int) positive(t, "max_deliveries", ctx, RedisStreamTrigger.DEFAULT_MAX_DELIVERIES, 1_000_000);
        long idleMs = positive(t, "reclaim_idle_ms", ctx, RedisStreamTrigger.DEFAULT_RECLAIM_IDLE.toMillis(), 86_400_000L);
        return new RedisStreamTrigger(id, componentId,
                r.template(stream, r.loc(t, "stream"), ctx + ".stream"),
                r.template(group, r.loc(t, "group"), ctx + ".group"),
                optTemplate(t, "consumer", ctx), optTemplate(t, "address", ctx), payloadField, maxDeliveries,
                java.time.Duration.ofMillis(idleMs), optTemplate(t, "dead_letter_stream", ctx), where);
    }

    private Optional<Template> optTemplate(TomlTable t, String key, String ctx) {
        return r.optString(t, key, ctx).map(v -> r.template(v, r.loc(t, key), ctx + "." + key));
    }

    /** An optional integer key in 1..max, else {@code dflt}. */
    private long positive(TomlTable t, String key, String ctx, long dflt, long max) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Long n)) {
            throw r.wrongType(t, key, ctx, "an integer");
        }
        if (n < 1 || n > max) {
            throw r.fail(r.loc(t, key), ctx + "." + key + ": must be between 1 and " + max + ", got " + n);
        }
        return n;
    }

    private void requireComponent(Optional<String> componentId, String type, String id, Location where) {
        if (componentId.isEmpty()) {
            throw r.fail(where, type + " trigger \"" + id + "\": missing field `component`; add component = \"<component-id>\"");
        }
    }

    static HttpRoute route(String s) {
        if (s.endsWith("/...")) {
            return new HttpRoute.Wildcard(s.substring(0, s.length() - 4));
        }
        if (s.endsWith("/*")) {
            return new HttpRoute.Wildcard(s.substring(0, s.length() - 2));
        }
        return new HttpRoute.Exact(s);
    }

    private HttpExecutor executor(TomlTable t, String ctx) {
        Optional<TomlTable> et = r.optTable(t, "executor", ctx);
        if (et.isEmpty()) {
            return new HttpExecutor.Spin();
        }
        TomlTable e = et.get();
        Location l = r.loc(t, "executor");
        String type = r.reqString(e, "type", ctx + ".executor", l, "write executor = { type = \"wagi\" } or remove it");
        switch (type) {
            case "http":
            case "spin":
                r.checkKeys(e, Set.of("type"), "executor", l);
                return new HttpExecutor.Spin();
            case "wagi":
                r.checkKeys(e, Set.of("type", "argv", "entrypoint"), "executor", l);
                return new HttpExecutor.Wagi(r.optString(e, "argv", ctx).orElse(HttpExecutor.WAGI_DEFAULT_ARGV),
                        r.optString(e, "entrypoint", ctx).orElse(HttpExecutor.WAGI_DEFAULT_ENTRYPOINT));
            default:
                throw r.fail(l, ctx + ": unknown executor type \"" + type + "\"; expected \"http\", \"spin\" or \"wagi\"");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }

    /** Checks that cut across the manifest: templates name declared variables; HTTP routes are unique. */
    void validate(Application app, Map<String, VariableDecl> vars, List<TriggerConfig> triggers,
                  Map<String, ComponentConfig> components) {
        List<Template> templates = new ArrayList<>();
        app.redisAddress().ifPresent(templates::add);
        for (ComponentConfig c : components.values()) {
            templates.addAll(c.allowedOutboundHosts());
            templates.addAll(c.variables().values());
        }
        Map<String, HttpTrigger> routes = new LinkedHashMap<>();
        for (TriggerConfig t : triggers) {
            if (t instanceof RedisTrigger rt) {
                templates.add(rt.channel());
                rt.address().ifPresent(templates::add);
            }
            if (t instanceof RedisStreamTrigger st) {
                templates.add(st.stream());
                templates.add(st.group());
                st.consumer().ifPresent(templates::add);
                st.address().ifPresent(templates::add);
                st.deadLetterStream().ifPresent(templates::add);
            }
            if (t instanceof HttpTrigger ht && ht.route().isPresent() && !(ht.route().get() instanceof HttpRoute.Private)) {
                String key = ht.route().get().display();
                HttpTrigger prev = routes.putIfAbsent(key, ht);
                if (prev != null) {
                    throw r.fail(ht.location(), "duplicate HTTP route \"" + key + "\": already used by trigger \""
                            + prev.id() + "\" at " + prev.location() + "; give each [[trigger.http]] a different route");
                }
            }
        }
        for (Template t : templates) {
            for (String name : t.variableNames()) {
                if (!vars.containsKey(name)) {
                    throw r.fail(t.location().orElse(Location.ofFile(r.file)), "template \"" + t.raw()
                            + "\" uses unknown variable \"" + name + "\"; declare it in [variables], e.g. " + name
                            + " = { default = \"...\" }" + (vars.isEmpty() ? "" : " (declared: "
                            + String.join(", ", vars.keySet()) + ")"));
                }
            }
        }
    }
}
