package dev.spindle.runtime.trigger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A response an executor produced: status, headers in order, body. */
record HttpResponseData(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    HttpResponseData {
        headers = List.copyOf(headers);
    }

    /** A short plain-text response the host itself produces (errors, 404, 413, 503). */
    static HttpResponseData text(int status, String body) {
        return new HttpResponseData(status, List.of(Map.entry("content-type", "text/plain; charset=utf-8")),
                (body + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
