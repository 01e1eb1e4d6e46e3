package dev.spindle.host;

import dev.spindle.manifest.hosts.AllowedHosts;
import java.util.Objects;

/**
 * What a capability knows about the component it is bound to.
 *
 * @param componentId the manifest's component id, used in every log line
 * @param allowedHosts the component's resolved allowed_outbound_hosts
 * @param log where the capability reports denied addresses and failures
 */
public record ComponentContext(String componentId, AllowedHosts allowedHosts, HostLog log) {
    public ComponentContext {
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(allowedHosts, "allowedHosts");
        Objects.requireNonNull(log, "log");
    }
}
