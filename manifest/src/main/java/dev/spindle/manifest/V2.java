package dev.spindle.manifest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** {@code spin_manifest_version = 2}, normalized the way Spin's {@code normalize_manifest} does. */
final class V2 extends ModelBuilder {
    V2(ManifestLoader.Reader r) {
        super(r);
    }

    /** A trigger entry before normalization; spec is a component id (String) or an inline table. */
    private static final class Raw {
        final String type;
        final TomlTable table;
        final Location location;
        String id;
        Object spec;
        Location specLocation;
        final Map<String, List<Object>> roles = new LinkedHashMap<>();
        final Map<String, List<Location>> roleLocations = new LinkedHashMap<>();

        Raw(String type, TomlTable table, Location location) {
            this.type = type;
            this.table = table;
            this.location = location;
        }
    }

    AppManifest load(TomlTable root) {
        Location top = Location.ofFile(r.file);
        r.checkKeys(root, Set.of("spin_manifest_version", "application", "variables", "trigger", "component"),
                "the top level", top);
        TomlTable appTable = r.optTable(root, "application", "application").orElseThrow(() -> r.fail(top,
                "missing table [application]; add [application] with name = \"my-app\""));
        Application app = application(appTable, r.loc(root, "application"));
        Map<String, VariableDecl> vars = variables(root);

        Map<String, ComponentConfig> components = new LinkedHashMap<>();
        Optional<TomlTable> ct = r.optTable(root, "component", "component");
        if (ct.isPresent()) {
            for (String id : ct.get().keySet()) {
                Location l = r.loc(ct.get(), id);
                checkComponentId(id, l);
                Object v = ct.get().get(List.of(id));
                if (!(v instanceof TomlTable t)) {
                    throw r.fail(l, "component." + id + ": expected a table [component." + id + "]");
                }
                r.checkKeys(t, V2_COMPONENT_KEYS, "[component." + id + "]", l);
                components.put(id, component(id, t, l, null));
            }
        }

        List<Raw> raws = rawTriggers(root, top);
        assignTriggerIds(raws);
        List<TriggerConfig> triggers = new ArrayList<>();
        for (Raw raw : raws) {
            Optional<String> componentId = Optional.empty();
            List<Object> specs = new ArrayList<>();
            if (raw.spec != null) {
                specs.add(raw.spec);
            }
            raw.roles.values().forEach(specs::addAll);
            boolean multiple = specs.size() > 1;
            int[] counter = {1};
            if (raw.spec != null) {
                componentId = Optional.of(resolveSpec(raw, raw.spec, raw.specLocation, multiple, counter, components));
            }
            Map<String, List<String>> roles = new LinkedHashMap<>();
            for (Map.Entry<String, List<Object>> e : raw.roles.entrySet()) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < e.getValue().size(); i++) {
                    ids.add(resolveSpec(raw, e.getValue().get(i), raw.roleLocations.get(e.getKey()).get(i), multiple,
                            counter, components));
                }
                roles.put(e.getKey(), List.copyOf(ids));
            }
            triggers.add(trigger(raw.type, raw.id, componentId, roles, raw.table, raw.location));
        }
        checkDependencyRefs(raws, components);
        validate(app, vars, triggers, components);
        return new AppManifest(r.file, app, vars, triggers, components);
    }

    private Application application(TomlTable t, Location where) {
        r.checkKeys(t, Set.of("name", "version", "description", "authors", "targets", "trigger", "tool"),
                "[application]", where);
        String name = r.reqString(t, "name", "[application]", where, "add name = \"my-app\"");
        Map<String, Map<String, Object>> settings = new LinkedHashMap<>();
        Optional<Template> redis = Optional.empty();
        Optional<TomlTable> tt = r.optTable(t, "trigger", "application");
        if (tt.isPresent()) {
            for (String type : tt.get().keySet()) {
                TomlTable s = r.optTable(tt.get(), type, "application.trigger").orElseThrow();
                settings.put(type, r.plainMap(s));
                if (type.equals("redis")) {
                    r.checkKeys(s, Set.of("address"), "[application.trigger.redis]", r.loc(tt.get(), type));
                    redis = r.optString(s, "address", "application.trigger.redis")
                            .map(a -> r.template(a, r.loc(s, "address"), "application.trigger.redis.address"));
                }
            }
        }
        return new Application(name, r.optString(t, "version", "application").filter(s -> !s.isEmpty()),
                r.optString(t, "description", "application").filter(s -> !s.isEmpty()),
                r.stringList(t, "authors", "application"), redis, settings);
    }

    private void checkComponentId(String id, Location l) {
        Ids.kebabProblem(id).ifPresent(p -> {
            throw r.fail(l, "component id \"" + id + "\": " + p + "; component ids are kebab-case, e.g. \"my-component\"");
        });
    }

    private List<Raw> rawTriggers(TomlTable root, Location top) {
        TomlTable tt = r.optTable(root, "trigger", "trigger").orElseThrow(() -> r.fail(top,
                "missing field `trigger`; add at least one trigger, e.g. [[trigger.http]] with route and component"));
        List<Raw> raws = new ArrayList<>();
        for (String type : tt.keySet()) {
            Object v = tt.get(List.of(type));
            Location tl = r.loc(tt, type);
            if (!(v instanceof TomlArray a)) {
                throw r.fail(tl, "trigger." + type + ": expected an array of tables; write [[trigger." + type + "]]");
            }
            for (int i = 0; i < a.size(); i++) {
                Location l = r.loc(a, i, tl);
                if (!(a.get(i) instanceof TomlTable t)) {
                    throw r.fail(l, "trigger." + type + "[" + i + "]: expected a table; write [[trigger." + type + "]]");
                }
                Raw raw = new Raw(type, t, l);
                raw.id = r.optString(t, "id", "trigger." + type).orElse("");
                Object spec = t.get(List.of("component"));
                if (spec != null) {
                    raw.spec = spec(spec, r.loc(t, "component"));
                    raw.specLocation = r.loc(t, "component");
                }
                Optional<TomlTable> roles = r.optTable(t, "components", "trigger." + type);
                if (roles.isPresent()) {
                    for (String role : roles.get().keySet()) {
                        Object rv = roles.get().get(List.of(role));
                        Location rl = r.loc(roles.get(), role);
                        List<Object> specs = new ArrayList<>();
                        List<Location> locs = new ArrayList<>();
                        if (rv instanceof TomlArray ra) {
                            for (int j = 0; j < ra.size(); j++) {
                                Location el = r.loc(ra, j, rl);
                                specs.add(spec(ra.get(j), el));
                                locs.add(el);
                            }
                        } else {
                            specs.add(spec(rv, rl));
                            locs.add(rl);
                        }
                        raw.roles.put(role, specs);
                        raw.roleLocations.put(role, locs);
                    }
                }
                raws.add(raw);
            }
        }
        return raws;
    }

    private Object spec(Object v, Location l) {
        if (v instanceof String s) {
            checkComponentId(s, l);
            return s;
        }
        if (v instanceof TomlTable t) {
            r.checkKeys(t, V2_COMPONENT_KEYS, "inline component", l);
            return t;
        }
        throw r.fail(l, "component: expected a component id such as \"my-component\" or an inline table"
                + " { source = \"file.wasm\" }, got " + ManifestLoader.Reader.typeName(v));
    }

    /** Spin: "{component}-{type}-trigger" when free, else "{type}-trigger{n}". */
    private static void assignTriggerIds(List<Raw> raws) {
        Set<String> taken = new HashSet<>();
        raws.forEach(r -> taken.add(r.id));
        Map<String, Integer> counters = new LinkedHashMap<>();
        for (Raw raw : raws) {
            if (!raw.id.isEmpty()) {
                continue;
            }
            if (raw.spec instanceof String ref) {
                String candidate = ref + "-" + raw.type + "-trigger";
                if (taken.add(candidate)) {
                    raw.id = candidate;
                    continue;
                }
            }
            int n = counters.getOrDefault(raw.type, 1);
            while (!taken.add(raw.type + "-trigger" + n)) {
                n++;
            }
            raw.id = raw.type + "-trigger" + n;
            counters.put(raw.type, n);
        }
    }

    /** Returns the component id; an inline table becomes a component named the way Spin names it. */
    private String resolveSpec(Raw raw, Object spec, Location l, boolean multiple, int[] counter,
                               Map<String, ComponentConfig> components) {
        if (spec instanceof String ref) {
            if (!components.containsKey(ref)) {
                throw r.fail(l, "trigger \"" + raw.id + "\": component \"" + ref + "\" does not exist; define"
                        + " [component." + ref + "] or use one of: " + (components.isEmpty() ? "(no components defined)"
                        : String.join(", ", components.keySet())));
            }
            return ref;
        }
        String id = raw.id + "-component";
        if (multiple || Ids.kebabProblem(id).isPresent() || components.containsKey(id)) {
            while (components.containsKey("inline-component" + counter[0])) {
                counter[0]++;
            }
            id = "inline-component" + counter[0];
        }
        components.put(id, component(id, (TomlTable) spec, l, null));
        return id;
    }

    /** {@code { component = "x" }} dependencies must name existing components (Spin: "dependency ID x does not exist"). */
    private void checkDependencyRefs(List<Raw> raws, Map<String, ComponentConfig> components) {
        for (Raw raw : raws) {
            Optional<TomlTable> deps = r.optTable(raw.table, "dependencies", "trigger." + raw.type);
            if (deps.isPresent()) {
                checkRefs(r.plain(deps.get()), r.loc(raw.table, "dependencies"), components);
            }
        }
        for (ComponentConfig c : components.values()) {
            Object deps = c.extras().get("dependencies");
            if (deps != null) {
                checkRefs(deps, c.location(), components);
            }
        }
    }

    private void checkRefs(Object v, Location l, Map<String, ComponentConfig> components) {
        if (v instanceof Map<?, ?> m) {
            if (m.get("component") instanceof String ref && !components.containsKey(ref)) {
                throw r.fail(l, "dependency ID \"" + ref + "\" does not exist; define [component." + ref + "]");
            }
            m.values().forEach(x -> checkRefs(x, l, components));
        } else if (v instanceof List<?> list) {
            list.forEach(x -> checkRefs(x, l, components));
        }
    }
}
