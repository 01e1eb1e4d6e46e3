package dev.spindle.runtime.trigger;

import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.GuestExport;
import dev.spindle.host.abi.Result;
import dev.spindle.manifest.Location;
import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.SpindleApp;
import java.util.List;

/**
 * A Spin trigger export under the name a guest gives it, and how the guest gets back the memory
 * of its results.
 *
 * <p>Two generations of guests export the same entry points. Component Model guests (Spin 2+
 * SDKs) export {@code fermyon:spin/inbound-http#handle-request} and
 * {@code fermyon:spin/inbound-redis#handle-message}, and may export {@code cabi_post_<export>},
 * which the host calls with the result pointer once it has read the results. wit-bindgen 0.2
 * guests (Spin 0.x/1.x SDKs, and the Go SDK's) export {@code handle-http-request} and
 * {@code handle-redis-message} with the same core signatures and layouts — Spin's own adapter
 * passes them through unchanged — and export {@code canonical_abi_free(ptr, size, align)}, which
 * the host calls for every string and list it read from the results, inner ones first, as
 * wit-bindgen 0.2 hosts did ({@link AbiOptions#WIT_BINDGEN_0_2}; the declarations are in
 * {@link TriggerAbi}).
 *
 * @param name the export to call
 * @param legacy true for the wit-bindgen 0.2 name and conventions
 */
record TriggerExport(String name, boolean legacy) {
    static final String HTTP = "fermyon:spin/inbound-http#handle-request";
    static final String LEGACY_HTTP = "handle-http-request";
    static final String REDIS = "fermyon:spin/inbound-redis#handle-message";
    static final String LEGACY_REDIS = "handle-redis-message";
    static final String LEGACY_FREE = "canonical_abi_free";

    /** Spin's HTTP handler exports this engine serves, canonical first. */
    static final List<String> HTTP_EXPORTS = List.of(HTTP, LEGACY_HTTP);
    /** Spin's Redis handler exports this engine serves, canonical first. */
    static final List<String> REDIS_EXPORTS = List.of(REDIS, LEGACY_REDIS);

    /**
     * Fails unless the component exports one of {@code exports}: a trigger whose component cannot
     * handle its events is refused before serving, not answered with an error per event.
     *
     * @param what the trigger, for the message ({@code http trigger "x" (route /a)})
     * @return the export run calls, as the component names it (a component may export a later
     *     semver-compatible version of the interface)
     */
    static String require(SpindleApp app, String componentId, List<String> exports, String what, Location where) {
        for (String name : exports) {
            if (app.exports(componentId, name)) {
                return exportedName(app, componentId, name);
            }
        }
        List<String> has = app.functionExports(componentId);
        String listed = has.isEmpty() ? "none" : String.join(", ", has.subList(0, Math.min(8, has.size())))
                + (has.size() > 8 ? ", ... (" + has.size() + " in all)" : "");
        String wanted = exports.size() == 1 ? "\"" + exports.get(0) + "\""
                : "\"" + String.join("\" or \"", exports) + "\"";
        String kind = app.isComponentModel(componentId) ? "a Component Model binary; " : "";
        throw new ManifestException(where, what + ": component \"" + componentId + "\" does not export " + wanted
                + " (" + kind + "its function exports: " + listed + ")");
    }

    /**
     * The component's own name for an export it has: {@code name} itself, or the versioned
     * export that {@code name} (unversioned, or another semver-compatible version) resolved to.
     */
    static String exportedName(SpindleApp app, String componentId, String name) {
        List<String> has = app.functionExports(componentId);
        if (has.contains(name)) {
            return name;
        }
        int hash = name.indexOf('#');
        if (hash > 0) {
            String iface = name.substring(0, hash);
            int at = iface.indexOf('@');
            String unversioned = at > 0 ? iface.substring(0, at) : iface;
            String function = name.substring(hash);
            for (String e : has) {
                if (e.startsWith(unversioned + "@") && e.endsWith(function)) {
                    return e;
                }
            }
        }
        return name;
    }

    /**
     * One line for {@code spindle check}: what run will call for {@code what}, and in which kind
     * of binary ({@code http trigger "x": component "c" (a core module, Spin 1.x exports) → "handle-http-request"}).
     */
    static String plan(SpindleApp app, String componentId, String what, String export) {
        return what + ": component \"" + componentId + "\" (" + kind(app, componentId, export) + "), run calls \"" + export + "\"";
    }

    private static String kind(SpindleApp app, String componentId, String export) {
        if (app.isComponentModel(componentId)) {
            return "a Component Model binary";
        }
        if (export.equals(LEGACY_HTTP) || export.equals(LEGACY_REDIS)) {
            return "a core module with wit-bindgen 0.2 (Spin 1.x) exports";
        }
        return "a core module";
    }

    /** The HTTP handler of a component: the canonical name when exported, else the legacy one. */
    static TriggerExport http(SpindleApp app, String componentId) {
        return pick(app, componentId, HTTP, LEGACY_HTTP);
    }

    /** The Redis-message handler of a component: the canonical name when exported, else the legacy one. */
    static TriggerExport redis(SpindleApp app, String componentId) {
        return pick(app, componentId, REDIS, LEGACY_REDIS);
    }

    private static TriggerExport pick(SpindleApp app, String componentId, String canonical, String legacy) {
        if (!app.exports(componentId, canonical) && app.exports(componentId, legacy)) {
            return new TriggerExport(legacy, true);
        }
        return new TriggerExport(canonical, false); // a module with neither fails when called, naming this one
    }

    /** The memory conventions of this generation of guest: see {@link AbiOptions}. */
    AbiOptions options() {
        return legacy ? AbiOptions.WIT_BINDGEN_0_2 : AbiOptions.CANONICAL;
    }

    /** The declared HTTP handler export under this name. */
    GuestExport.Unary<TriggerAbi.Request, TriggerAbi.Response> http() {
        return legacy ? TriggerAbi.LEGACY_HANDLE_REQUEST : TriggerAbi.HANDLE_REQUEST;
    }

    /** The declared Redis-message handler export under this name. */
    GuestExport.Unary<byte[], Result<Void, Integer>> redis() {
        return legacy ? TriggerAbi.LEGACY_HANDLE_MESSAGE : TriggerAbi.HANDLE_MESSAGE;
    }
}
