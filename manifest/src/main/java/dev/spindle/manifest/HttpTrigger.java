package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code [[trigger.http]]}. {@code route} is empty only if the manifest omits it (Spin accepts such a
 * manifest and fails when the HTTP trigger starts; a runner should do the same).
 */
public record HttpTrigger(String id, Optional<String> componentId, Optional<HttpRoute> route, HttpExecutor executor,
                          Optional<StaticResponse> staticResponse, Location location) implements TriggerConfig {
    public HttpTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(staticResponse, "staticResponse");
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String type() {
        return "http";
    }
}
