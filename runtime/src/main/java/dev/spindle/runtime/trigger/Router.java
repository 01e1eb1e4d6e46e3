package dev.spindle.runtime.trigger;

import dev.spindle.manifest.HttpRoute;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.manifest.ManifestException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Spin's HTTP routing: an exact route beats any wildcard, among wildcards the longest prefix
 * wins, private routes are never served, and every route sits under the application's
 * {@code trigger.http.base}. Immutable and thread-safe.
 */
final class Router {
    /**
     * One servable route.
     *
     * @param trigger        the manifest trigger
     * @param rawRoute       the route as written, without the base ({@code /prefix/...}, {@code /path})
     * @param componentRoute {@code rawRoute} without a trailing {@code /...}
     * @param fullRoute      base + componentRoute: the path (or prefix) matched against requests
     * @param wildcard       whether everything below {@code fullRoute} matches too
     */
    record Route(HttpTrigger trigger, String rawRoute, String componentRoute, String fullRoute, boolean wildcard) {
        /**
         * Routes key the servers' executor maps, looked up on every request: the record's own hash
         * would walk the whole trigger (its config, its manifest location) each time. Equal routes
         * have equal paths, so this agrees with equals; the path's hash is cached by String.
         */
        @Override
        public int hashCode() {
            return fullRoute.hashCode() * 31 + Boolean.hashCode(wildcard);
        }

        /** base + rawRoute, as Spin reports it in {@code spin-matched-route}. */
        String matchedRoute() {
            return wildcard ? (fullRoute.equals("/") ? "" : fullRoute) + "/..." : fullRoute;
        }

        /** The id shown in logs and the startup banner. */
        String label() {
            return trigger.componentId().orElse(trigger.id());
        }
    }

    /** A request path matched to a route; {@code pathInfo} is what follows the route ("" for exact routes). */
    record Match(Route route, String pathInfo) {}

    private final String base;
    private final List<Route> exact;
    private final List<Route> wildcards; // longest prefix first

    private Router(String base, List<Route> exact, List<Route> wildcards) {
        this.base = base;
        this.exact = List.copyOf(exact);
        this.wildcards = List.copyOf(wildcards);
    }

    /**
     * Builds the routing table. A trigger without a route is refused (Spin fails at startup too);
     * private routes are left out.
     *
     * @throws ManifestException naming the trigger's file:line
     */
    static Router build(List<HttpTrigger> triggers, String base) {
        String normalizedBase = normalizeBase(base);
        List<Route> exact = new ArrayList<>();
        List<Route> wildcards = new ArrayList<>();
        for (HttpTrigger trigger : triggers) {
            HttpRoute route = trigger.route().orElseThrow(() -> new ManifestException(trigger.location(),
                    "http trigger \"" + trigger.id() + "\" has no route; add route = \"/path\" (or route = { private = true })"));
            if (route instanceof HttpRoute.Exact e) {
                String raw = e.path();
                exact.add(new Route(trigger, raw, raw, join(normalizedBase, raw), false));
            } else if (route instanceof HttpRoute.Wildcard w) {
                wildcards.add(new Route(trigger, w.prefix() + "/...", w.prefix(), join(normalizedBase, w.prefix()), true));
            }
            // Private: reachable only by service chaining, which Spindle does not offer; never served.
        }
        wildcards.sort(Comparator.comparingInt((Route r) -> r.fullRoute().length()).reversed());
        return new Router(normalizedBase, exact, wildcards);
    }

    /** The base path, "/" or "/something" without a trailing slash. */
    String base() {
        return base;
    }

    /** Every served route, exact ones first, in manifest order. */
    List<Route> routes() {
        List<Route> all = new ArrayList<>(exact);
        all.addAll(wildcards);
        return all;
    }

    /** Finds the route serving {@code path} (the request path, without query). */
    Optional<Match> match(String path) {
        for (Route r : exact) {
            if (r.fullRoute().equals(path)) {
                return Optional.of(new Match(r, ""));
            }
        }
        for (Route r : wildcards) {
            String prefix = r.fullRoute();
            if (prefix.equals("/") || prefix.isEmpty()) {
                return Optional.of(new Match(r, path));
            }
            if (path.equals(prefix)) {
                return Optional.of(new Match(r, ""));
            }
            if (path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return Optional.of(new Match(r, path.substring(prefix.length())));
            }
        }
        return Optional.empty();
    }

    static String normalizeBase(String base) {
        String b = base.trim();
        if (!b.startsWith("/")) {
            b = "/" + b;
        }
        while (b.length() > 1 && b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b;
    }

    /** base "/" + "/a" = "/a"; base "/api" + "/a" = "/api/a"; base "/api" + "" = "/api". */
    static String join(String base, String route) {
        String r = route.isEmpty() ? "" : (route.startsWith("/") ? route : "/" + route);
        if (base.equals("/")) {
            return r.isEmpty() ? "/" : r;
        }
        return r.equals("/") ? base : base + r;
    }
}
