package dev.spindle.wasi;

/**
 * The wasi:io / wasi:http versions Spindle serves, the ones Spin accepts: the two release
 * candidates its SDKs 2.x built against, and 0.2.0, which also serves every later 0.2.x (their
 * WIT is the same ABI: later patch releases only add documentation and {@code @since} gates).
 */
public enum WasiVersion {
    /** 0.2.0, and through it 0.2.1 ... 0.2.x. */
    V0_2_0("0.2.0"),
    /** {@code 0.2.0-rc-2023-11-10}: 0.2.0 without {@code fields.has}, older request-options names and future-trailers type. */
    RC_2023_11_10("0.2.0-rc-2023-11-10"),
    /** {@code 0.2.0-rc-2023-10-18}: Spin 2.0's; older resources throughout (see WasiHttp). */
    RC_2023_10_18("0.2.0-rc-2023-10-18");

    private final String label;

    WasiVersion(String label) {
        this.label = label;
    }

    /** The version as import module names carry it, e.g. {@code 0.2.0-rc-2023-10-18}. */
    public String label() {
        return label;
    }

    /** {@code package/interface@version}, e.g. {@code wasi:io/streams@0.2.0}. */
    public String module(String packageAndInterface) {
        return packageAndInterface + "@" + label;
    }
}
