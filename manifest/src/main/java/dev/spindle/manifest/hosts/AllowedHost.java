package dev.spindle.manifest.hosts;

/** TEMPORARY STUB (branch host-redis) until branch allowed-hosts lands. */
public record AllowedHost(String scheme, String host, int port) {
    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
