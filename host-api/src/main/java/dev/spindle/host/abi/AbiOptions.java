package dev.spindle.host.abi;

import java.util.Objects;
import java.util.Optional;

/**
 * The memory conventions of one generation of guest bindings: the allocator the host calls to
 * hand the guest strings and lists, and how memory an export returned is given back.
 *
 * @param reallocExport the guest export {@code (old_ptr, old_size, align, new_size) -> ptr} the
 *     host allocates with (always with {@code old_ptr = old_size = 0})
 * @param freeExport when present, the guest export {@code (ptr, size, align)} the host calls for
 *     every string and list it read from an export's results, inner ones first (wit-bindgen 0.2;
 *     skipped when the guest does not export it). When empty, the
 *     host calls {@code cabi_post_<export>} with the export's core results instead, if the module
 *     has it (the Component Model's post-return)
 */
public record AbiOptions(String reallocExport, Optional<String> freeExport) {

    /** The Component Model's canonical ABI as wit-bindgen 0.8 and later generate it (Spin 2.x and 3.x guests). */
    public static final AbiOptions CANONICAL = new AbiOptions("cabi_realloc", Optional.empty());

    /**
     * wit-bindgen 0.2 (Spin 1.x guests): the same layouts and flattening, but the allocator is
     * {@code canonical_abi_realloc} and returned strings and lists are freed with
     * {@code canonical_abi_free}.
     */
    public static final AbiOptions WIT_BINDGEN_0_2 = new AbiOptions("canonical_abi_realloc", Optional.of("canonical_abi_free"));

    public AbiOptions {
        Objects.requireNonNull(reallocExport, "reallocExport");
        Objects.requireNonNull(freeExport, "freeExport");
    }

    /** The post-return export called after {@code export} returns, under the canonical convention. */
    public static String postReturnExport(String export) {
        return "cabi_post_" + export;
    }
}
