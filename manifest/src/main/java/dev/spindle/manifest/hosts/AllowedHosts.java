package dev.spindle.manifest.hosts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** TEMPORARY STUB (branch host-redis) until branch allowed-hosts lands: exact scheme/host/port only. */
public final class AllowedHosts {
    private final List<AllowedHost> entries;

    private AllowedHosts(List<AllowedHost> entries) {
        this.entries = List.copyOf(entries);
    }

    public static AllowedHosts parse(List<String> entries) {
        List<AllowedHost> out = new ArrayList<>();
        for (String e : entries) {
            OutboundUrl url = OutboundUrl.parse(e);
            out.add(new AllowedHost(url.scheme(), url.host(), url.portOrDefault()));
        }
        return new AllowedHosts(out);
    }

    public static AllowedHosts denyAll() {
        return new AllowedHosts(List.of());
    }

    public Optional<AllowedHost> match(OutboundUrl url) {
        return entries.stream()
                .filter(a -> a.scheme().equals(url.scheme()) && a.host().equals(url.host()) && a.port() == url.portOrDefault())
                .findFirst();
    }

    public boolean allows(OutboundUrl url) {
        return match(url).isPresent();
    }

    public static String suggestedEntry(OutboundUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.portOrDefault();
    }
}
