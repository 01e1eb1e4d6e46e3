package dev.spindle.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * {@code spin_manifest_version = "1"} / {@code spin_version = "1"}, converted as Spin's {@code compat::v1_to_v2_app}:
 * the app-level {@code trigger = { type = ..., ... }} becomes {@code [application.trigger.<type>]}; each
 * {@code [[component]]} becomes a component plus one trigger with id {@code trigger-<component-id>};
 * {@code config} becomes component {@code variables}; a component without {@code allowed_outbound_hosts}
 * gets {@code redis://*:*}, {@code mysql://*:*}, {@code postgres://*:*}.
 */
final class V1 extends ModelBuilder {
    private static final Set<String> TOP_KEYS = Set.of("spin_manifest_version", "spin_version", "name", "version",
            "description", "authors", "trigger", "variables", "component");
    private static final Set<String> COMPONENT_KEYS = Set.of("id", "source", "trigger", "description", "config",
            "environment", "files", "exclude_files", "allowed_http_hosts", "allowed_outbound_hosts", "key_value_stores",
            "sqlite_databases", "ai_models", "build");

    V1(ManifestLoader.Reader r) {
        super(r);
    }

    AppManifest load(TomlTable root) {
        Location top = Location.ofFile(r.file);
        r.checkKeys(root, TOP_KEYS, "the top level of a v1 manifest", top);
        String name = r.reqString(root, "name", "v1 manifest", top, "add name = \"my-app\"");
        // Spin requires `trigger`; the doctor/template corpus has v1 manifests without it, so a missing
        // app trigger (or component trigger) just means "no trigger" here.
        Optional<TomlTable> trig = r.optTable(root, "trigger", "trigger");
        String type = null;
        Map<String, Object> settings = new LinkedHashMap<>();
        Optional<Template> redis = Optional.empty();
        if (trig.isPresent()) {
            TomlTable tt = trig.get();
            type = r.reqString(tt, "type", "trigger", r.loc(root, "trigger"), "write trigger = { type = \"http\" }");
            settings.putAll(r.plainMap(tt));
            settings.remove("type");
            if (type.equals("redis")) {
                redis = r.optString(tt, "address", "trigger").map(a -> r.template(a, r.loc(tt, "address"), "trigger.address"));
            }
        }
        Application app = new Application(name, r.optString(root, "version", "").filter(s -> !s.isEmpty()),
                r.optString(root, "description", "").filter(s -> !s.isEmpty()), r.stringList(root, "authors", ""),
                redis, type == null ? Map.of() : Map.of(type, settings));
        Map<String, VariableDecl> vars = variables(root);

        Map<String, ComponentConfig> components = new LinkedHashMap<>();
        List<TriggerConfig> triggers = new ArrayList<>();
        Object cv = root.get(List.of("component"));
        if (cv != null && !(cv instanceof TomlArray)) {
            throw r.wrongType(root, "component", "v1 manifest", "an array of tables ([[component]])");
        }
        TomlArray ca = (TomlArray) cv;
        for (int i = 0; ca != null && i < ca.size(); i++) {
            Location l = r.loc(ca, i, top);
            if (!(ca.get(i) instanceof TomlTable t)) {
                throw r.fail(l, "component[" + i + "]: expected a table; write [[component]]");
            }
            r.checkKeys(t, COMPONENT_KEYS, "[[component]]", l);
            String rawId = r.reqString(t, "id", "[[component]]", l, "add id = \"my-component\"");
            String id = componentId(rawId, r.loc(t, "id"));
            Optional<TomlTable> ct = r.optTable(t, "trigger", "component." + id);
            ComponentConfig c = component(id, t, l, new V1Parts());
            if (components.containsKey(id)) {
                // Spin keeps the later definition; drop the earlier component's trigger with it.
                triggers.removeIf(x -> x.componentId().equals(Optional.of(id)));
            }
            components.put(id, c);
            if (type != null && ct.isPresent()) {
                Location tl = r.locOr(t, "trigger", l);
                triggers.add(trigger(type, "trigger-" + id, Optional.of(id), Map.of(), ct.get(), tl));
            }
        }
        validate(app, vars, triggers, components);
        return new AppManifest(r.file, app, vars, triggers, components);
    }

    /** Spin fixes the two common v1 id problems: under_scores and mixedCase. */
    private String componentId(String raw, Location l) {
        if (Ids.kebabProblem(raw).isEmpty()) {
            return raw;
        }
        String fixed = raw.replace('_', '-').toLowerCase(Locale.ROOT);
        Ids.kebabProblem(fixed).ifPresent(p -> {
            throw r.fail(l, "component id \"" + fixed + "\": " + p + "; component ids are kebab-case, e.g. \"my-component\"");
        });
        return fixed;
    }
}
