package dev.spindle.wasi.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One header or trailer: a lower-case name and its value's bytes (wasi:http's
 * {@code tuple<field-key, field-value>}). Values off the wire need not be UTF-8, so they stay
 * bytes; {@link #valueLatin1()} maps them one byte to one char for servers and clients that
 * take strings, which round-trips every byte.
 */
public record Field(String name, byte[] value) {
    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    public static Field of(String name, String value) {
        return new Field(name, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    public String valueLatin1() {
        return new String(value, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return name + ": " + valueLatin1();
    }
}
