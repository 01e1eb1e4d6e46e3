package dev.spindle.host;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.VariableResolver;
import java.util.Objects;

/**
 * What a {@link CapabilityProvider} creates its capability from.
 *
 * @param manifest the app's manifest
 * @param variables the app's variables, resolved (explicit values, environment, defaults)
 * @param runtimeConfig the runtime configuration file (or an empty one); read only the tables
 *     named by {@link CapabilityProvider#runtimeConfigTables()}
 * @param log where the capability reports what happens, one line per event
 */
public record CapabilitySetup(AppManifest manifest, VariableResolver variables, RuntimeConfig runtimeConfig, HostLog log) {
    public CapabilitySetup {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(variables, "variables");
        Objects.requireNonNull(runtimeConfig, "runtimeConfig");
        Objects.requireNonNull(log, "log");
    }
}
