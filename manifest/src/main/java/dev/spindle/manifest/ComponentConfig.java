package dev.spindle.manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code [component.<id>]} (or a v1 {@code [[component]]}, or an inline trigger component).
 *
 * @param allowedOutboundHosts entries as written (templates), not yet validated; see {@link #resolvedAllowedHosts}
 * @param allowedHttpHosts     the deprecated {@code allowed_http_hosts} entries as written; converted to
 *                             outbound-host form by {@link #resolvedAllowedHosts}
 * @param variables            component variables: values are templates over application variables
 * @param extras               other Spin fields kept as plain Java values: {@code build}, {@code tool},
 *                             {@code dependencies}, {@code dependencies_inherit_configuration}, {@code targets},
 *                             {@code profile}
 */
public record ComponentConfig(String id, ComponentSource source, List<Template> allowedOutboundHosts,
                              List<String> allowedHttpHosts, Map<String, String> environment, List<FileMount> files,
                              List<String> excludeFiles, Map<String, Template> variables, List<String> keyValueStores,
                              List<String> sqliteDatabases, List<String> aiModels, Optional<String> description,
                              Map<String, Object> extras, Location location) {
    public ComponentConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        allowedOutboundHosts = List.copyOf(allowedOutboundHosts);
        allowedHttpHosts = List.copyOf(allowedHttpHosts);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        files = List.copyOf(files);
        excludeFiles = List.copyOf(excludeFiles);
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        keyValueStores = List.copyOf(keyValueStores);
        sqliteDatabases = List.copyOf(sqliteDatabases);
        aiModels = List.copyOf(aiModels);
        Objects.requireNonNull(description, "description");
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        Objects.requireNonNull(location, "location");
    }

    /**
     * THE merge point for network permissions: every {@code allowed_outbound_hosts} template rendered with
     * {@code resolver}, followed by the deprecated {@code allowed_http_hosts} converted the way Spin does
     * ({@code "example.com"} becomes {@code http://example.com} and {@code https://example.com};
     * {@code insecure:allow-all} becomes {@code http://*:*}, {@code https://*:*}, {@code http://self}).
     * The caller validates the result with {@code AllowedHosts.parse}.
     *
     * @throws ManifestException if a variable has no value or an {@code allowed_http_hosts} entry is invalid
     */
    public List<String> resolvedAllowedHosts(VariableResolver resolver) {
        List<String> out = new ArrayList<>();
        for (Template t : allowedOutboundHosts) {
            out.add(resolver.resolve(t));
        }
        try {
            out.addAll(HttpHostsCompat.toOutboundHosts(allowedHttpHosts));
        } catch (IllegalArgumentException e) {
            throw new ManifestException(location, "component \"" + id + "\": " + e.getMessage()
                    + "; write the entries in allowed_outbound_hosts as \"https://host[:port]\" instead");
        }
        return List.copyOf(out);
    }
}
