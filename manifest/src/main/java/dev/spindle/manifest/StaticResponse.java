package dev.spindle.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An HTTP trigger's {@code static_response}; {@code statusCode} defaults to 200 as in Spin. */
public record StaticResponse(int statusCode, Map<String, String> headers, Optional<String> body) {
    public StaticResponse {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Objects.requireNonNull(body, "body");
    }
}
