package dev.spindle.manifest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** Spin's conversion of the deprecated {@code allowed_http_hosts} into {@code allowed_outbound_hosts} form. */
final class HttpHostsCompat {
    static final String ALLOW_ALL = "insecure:allow-all";
    /** What Spin grants a v1 component that has no {@code allowed_outbound_hosts}. */
    static final List<String> V1_DATABASE_DEFAULTS = List.of("redis://*:*", "mysql://*:*", "postgres://*:*");

    private HttpHostsCompat() {
    }

    /** @throws IllegalArgumentException naming every invalid entry */
    static List<String> toOutboundHosts(List<String> httpHosts) {
        if (httpHosts.contains(ALLOW_ALL)) {
            return List.of("http://*:*", "https://*:*", "http://self");
        }
        List<String> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String h : httpHosts) {
            try {
                String[] hp = parse(h);
                if (hp[0].equals("self")) {
                    out.add("http://self");
                } else {
                    String port = hp[1].isEmpty() ? "" : ":" + hp[1];
                    out.add("http://" + hp[0] + port);
                    out.add("https://" + hp[0] + port);
                }
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid allowed_http_hosts entries: " + String.join("; ", errors));
        }
        return out;
    }

    private static String[] parse(String text) {
        boolean schemed = text.contains("//");
        URI uri;
        try {
            uri = new URI(schemed ? text : "http://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text + "\" isn't a valid host or host:port string");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("\"" + text + "\" isn't a valid host or host:port string");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\" doesn't contain a host name");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.length() > 1 || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("\"" + text + "\" contains a path, should be host and optional port only");
        }
        int port = uri.getPort();
        String portText = port < 0 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))
                ? "" : Integer.toString(port);
        return new String[] {host.toLowerCase(java.util.Locale.ROOT), portText};
    }
}
