package dev.spindle.component;

/** The index spaces of a component, core and component-level (Binary.md {@code core:sort} and {@code sort}). */
public enum Sort {
    CORE_FUNC("core func"),
    CORE_TABLE("core table"),
    CORE_MEMORY("core memory"),
    CORE_GLOBAL("core global"),
    CORE_TYPE("core type"),
    CORE_MODULE("core module"),
    CORE_INSTANCE("core instance"),
    FUNC("func"),
    VALUE("value"),
    TYPE("type"),
    COMPONENT("component"),
    INSTANCE("instance");

    private final String text;

    Sort(String text) {
        this.text = text;
    }

    /** As the text format writes it, e.g. {@code core memory}. */
    public String text() {
        return text;
    }

    public boolean isCore() {
        return ordinal() <= CORE_INSTANCE.ordinal();
    }
}
