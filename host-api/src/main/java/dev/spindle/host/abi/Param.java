package dev.spindle.host.abi;

import java.util.Objects;

/** A named function parameter. */
public record Param<T>(String name, WitType<T> type) {
    public Param {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public static <T> Param<T> param(String name, WitType<T> type) {
        return new Param<>(name, type);
    }
}
