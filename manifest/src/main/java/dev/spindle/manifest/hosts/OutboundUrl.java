package dev.spindle.manifest.hosts;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * TEMPORARY STUB written on branch host-redis so it compiles before branch allowed-hosts lands.
 * Replaced wholesale by the real class when allowed-hosts is merged.
 */
public record OutboundUrl(
        String scheme,
        Optional<String> user,
        Optional<String> password,
        String host,
        OptionalInt port,
        String path,
        Optional<String> query) {

    public static OutboundUrl parse(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("not an absolute URL with a host");
            }
            Optional<String> user = Optional.empty();
            Optional<String> password = Optional.empty();
            String info = uri.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                String u = colon < 0 ? info : info.substring(0, colon);
                user = u.isEmpty() ? Optional.empty() : Optional.of(decode(u));
                if (colon >= 0) {
                    password = Optional.of(decode(info.substring(colon + 1)));
                }
            }
            return new OutboundUrl(
                    uri.getScheme().toLowerCase(),
                    user,
                    password,
                    uri.getHost().toLowerCase(),
                    uri.getPort() < 0 ? OptionalInt.empty() : OptionalInt.of(uri.getPort()),
                    uri.getRawPath() == null ? "" : uri.getRawPath(),
                    Optional.ofNullable(uri.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL", e);
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    public int portOrDefault() {
        if (port.isPresent()) {
            return port.getAsInt();
        }
        switch (scheme) {
            case "redis":
            case "rediss":
                return 6379;
            case "https":
                return 443;
            default:
                return 80;
        }
    }

    public String redacted() {
        String userInfo = user.isPresent() || password.isPresent() ? "***@" : "";
        return scheme + "://" + userInfo + host + (port.isPresent() ? ":" + port.getAsInt() : "") + path;
    }
}
