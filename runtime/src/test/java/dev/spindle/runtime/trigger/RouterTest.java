package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.HttpExecutor;
import dev.spindle.manifest.HttpRoute;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.manifest.Location;
import dev.spindle.manifest.ManifestException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static HttpTrigger trigger(String component, HttpRoute route) {
        return new HttpTrigger(component, Optional.of(component), Optional.ofNullable(route), new HttpExecutor.Spin(),
                Optional.empty(), new Location(Path.of("spin.toml"), 7, 1));
    }

    private static String served(Router router, String path) {
        return router.match(path).map(m -> m.route().label() + "|" + m.pathInfo()).orElse("404");
    }

    private final Router router = Router.build(List.of(
            trigger("root", new HttpRoute.Wildcard("")),
            trigger("api", new HttpRoute.Wildcard("/api")),
            trigger("api-users", new HttpRoute.Wildcard("/api/users")),
            trigger("api-users-me", new HttpRoute.Exact("/api/users/me")),
            trigger("hidden", new HttpRoute.Private())), "/");

    @Test
    void exactBeatsWildcard() {
        assertEquals("api-users-me|", served(router, "/api/users/me"));
    }

    @Test
    void longestPrefixWins() {
        assertEquals("api-users|/42", served(router, "/api/users/42"));
        assertEquals("api-users|", served(router, "/api/users"));
        assertEquals("api|/orders", served(router, "/api/orders"));
    }

    @Test
    void prefixMatchesWholeSegmentsOnly() {
        assertEquals("root|/apis", served(router, "/apis"));
    }

    @Test
    void catchAllGetsTheWholePath() {
        assertEquals("root|/anything/else", served(router, "/anything/else"));
    }

    @Test
    void privateRoutesAreNotServed() {
        assertTrue(router.routes().stream().noneMatch(r -> r.label().equals("hidden")));
    }

    @Test
    void unknownPathIs404WithoutCatchAll() {
        Router r = Router.build(List.of(trigger("a", new HttpRoute.Exact("/a")), trigger("b", new HttpRoute.Wildcard("/b"))), "/");
        assertEquals("404", served(r, "/c"));
        assertEquals("404", served(r, "/a/x"));
        assertEquals("a|", served(r, "/a"));
        assertEquals("b|/x", served(r, "/b/x"));
    }

    @Test
    void basePathPrefixesEveryRoute() {
        Router r = Router.build(List.of(trigger("a", new HttpRoute.Exact("/a")), trigger("all", new HttpRoute.Wildcard(""))), "/base/");
        assertEquals("/base", r.base());
        assertEquals("a|", served(r, "/base/a"));
        assertEquals("all|/x", served(r, "/base/x"));
        assertEquals("404", served(r, "/a"));
        assertEquals("/base/...", r.routes().get(1).matchedRoute());
    }

    @Test
    void triggerWithoutRouteIsRefusedWithItsLocation() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> Router.build(List.of(trigger("noroute", null)), "/"));
        assertTrue(e.getMessage().contains("spin.toml:7"), e.getMessage());
        assertTrue(e.getMessage().contains("has no route"), e.getMessage());
    }
}
