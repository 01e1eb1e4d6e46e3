package dev.spindle.wasi;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.HostCapability;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.wasi.http.outbound.ClientTls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tomlj.TomlTable;

/**
 * WASI preview 2, wasi:http and Spin's outbound HTTP as a capability of every app
 * ({@link WasiCapability}); found through {@link java.util.ServiceLoader}. Reads Spin's
 * {@code [outbound_http]} runtime-config table: {@code max_concurrent_requests} (per component
 * here) and {@code connection_pooling} (accepted; the JDK client always pools); and its
 * {@code [[client_tls]]} entries ({@link ClientTls}: the roots a component trusts for HTTPS).
 */
public final class WasiCapabilityProvider implements CapabilityProvider {
    public static final String NAME = "wasi";
    static final String TABLE = "outbound_http";

    private final WasiOptions options;

    public WasiCapabilityProvider() {
        this(WasiOptions.defaults());
    }

    public WasiCapabilityProvider(WasiOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> runtimeConfigTables() {
        return Set.of(TABLE, ClientTls.TABLE);
    }

    @Override
    public HostCapability create(CapabilitySetup setup) {
        Map<String, Map<String, String>> environments = new LinkedHashMap<>();
        for (ComponentConfig c : setup.manifest().components().values()) {
            environments.put(c.id(), c.environment());
        }
        return new WasiCapability(withRuntimeConfig(options, setup.runtimeConfig()), environments,
                ClientTls.fromRuntimeConfig(setup.runtimeConfig()));
    }

    static WasiOptions withRuntimeConfig(WasiOptions options, RuntimeConfig config) {
        TomlTable table = config.table(TABLE).orElse(null);
        if (table == null) {
            return options;
        }
        for (String key : table.keySet()) {
            if (!key.equals("max_concurrent_requests") && !key.equals("connection_pooling")) {
                throw config.error(List.of(TABLE, key), "unknown key `" + key + "` in [" + TABLE
                        + "] (known: max_concurrent_requests, connection_pooling)");
            }
        }
        Object pooling = table.get(List.of("connection_pooling"));
        if (pooling != null && !(pooling instanceof Boolean)) {
            throw config.error(List.of(TABLE, "connection_pooling"), "[" + TABLE + "] connection_pooling must be true or false");
        }
        Object max = table.get(List.of("max_concurrent_requests"));
        if (max == null) {
            return options;
        }
        if (!(max instanceof Long n) || n < 1 || n > 100_000) {
            throw config.error(List.of(TABLE, "max_concurrent_requests"),
                    "[" + TABLE + "] max_concurrent_requests must be an integer from 1 to 100000, got " + max);
        }
        return options.withOutbound(options.outbound().withMaxConcurrentPerComponent((int) (long) n));
    }
}
