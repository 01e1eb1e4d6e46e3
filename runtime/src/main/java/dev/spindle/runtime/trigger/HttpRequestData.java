package dev.spindle.runtime.trigger;

import java.util.List;
import java.util.Map;

/**
 * A request as the executors see it: already routed, body fully read and size-checked.
 *
 * @param method     upper-case method
 * @param pathAndQuery the path and query as received ({@code /count/a?b=1})
 * @param path       the decoded-free raw path, without the query
 * @param query      the raw query without '?', or ""
 * @param headers    request headers (lower-case names) in arrival order, Spin's {@code spin-*} headers included
 * @param body       the request body (empty if none)
 * @param match      the route that matched
 * @param fullUrl    scheme://host:port + pathAndQuery
 * @param clientAddr ip:port of the client
 * @param serverName the host the server was reached at (Host header without port, else the listen address)
 * @param serverPort the port the server listens on
 * @param basePath   the application's {@code trigger.http.base}
 */
record HttpRequestData(String method, String pathAndQuery, String path, String query, List<Map.Entry<String, String>> headers,
                       byte[] body, Router.Match match, String fullUrl, String clientAddr, String serverName, int serverPort,
                       String basePath) {
    HttpRequestData {
        headers = List.copyOf(headers);
    }
}
