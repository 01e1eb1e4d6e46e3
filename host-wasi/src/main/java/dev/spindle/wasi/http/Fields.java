package dev.spindle.wasi.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * wasi:http's {@code fields} resource (headers and trailers): an ordered multimap of lower-case
 * names to byte values, as wasmtime keeps it.
 *
 * <p>The resource table keys handles by representation, and {@code incoming-request.headers()}
 * hands out a new handle on every call, so a {@code Fields} is a <em>view</em>: several views may
 * share one entry list (the request's headers), each one its own handle. Views of a request's or
 * response's own headers are immutable ({@code header-error.immutable}); {@link #copy()} gives a
 * mutable deep copy ({@code clone}).
 *
 * <p>Names must be RFC 9110 tokens and values may not hold control bytes other than tab, as
 * {@code http::HeaderName}/{@code HeaderValue} require in wasmtime; {@link #FORBIDDEN} headers
 * are the transport's business and are refused with {@code header-error.forbidden}.
 */
public final class Fields {
    /** The headers wasmtime refuses from guests: connection-level ones the server or client sets. */
    public static final Set<String> FORBIDDEN = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "host", "http2-settings");

    private final List<Field> entries;
    private final boolean mutable;

    private Fields(List<Field> entries, boolean mutable) {
        this.entries = entries;
        this.mutable = mutable;
    }

    /** A new, empty, mutable fields ({@code constructor()}). */
    public static Fields empty() {
        return new Fields(new ArrayList<>(), true);
    }

    /**
     * {@code from-list}: a mutable fields from guest entries, every name and value checked.
     *
     * @param allowForbidden true for the rc-2023-10-18 constructor, which has no error channel
     */
    public static Fields fromList(List<Field> list, boolean allowForbidden) throws HeaderError.Failure {
        List<Field> copy = new ArrayList<>(list.size());
        for (Field f : list) {
            String name = checkName(f.name(), allowForbidden);
            checkValue(name, f.value());
            copy.add(new Field(name, f.value()));
        }
        return new Fields(copy, true);
    }

    /** An immutable view of host-made entries (a request's headers); names are lower-cased here. */
    public static Fields immutable(List<Field> list) {
        List<Field> copy = new ArrayList<>(list.size());
        for (Field f : list) {
            copy.add(new Field(f.name().toLowerCase(Locale.ROOT), f.value()));
        }
        return new Fields(copy, false);
    }

    /** Another handle's view of the same entries (each {@code headers()} call is a new handle). */
    public Fields view() {
        return new Fields(entries, mutable);
    }

    /** An immutable view of these entries: a response's headers once the response was built. */
    public Fields frozenView() {
        return new Fields(entries, false);
    }

    public boolean isMutable() {
        return mutable;
    }

    /** {@code clone}: a mutable deep copy. */
    public synchronized Fields copy() {
        return new Fields(new ArrayList<>(entries), true);
    }

    /** {@code get}: every value of {@code name}, in order; none for an absent or invalid name. */
    public synchronized List<byte[]> get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        List<byte[]> out = new ArrayList<>();
        for (Field f : entries) {
            if (f.name().equals(key)) {
                out.add(f.value());
            }
        }
        return out;
    }

    public synchronized boolean has(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (Field f : entries) {
            if (f.name().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** {@code set}: replaces every value of {@code name} with {@code values}. */
    public synchronized void set(String name, List<byte[]> values) throws HeaderError.Failure {
        checkMutable();
        String key = checkName(name, false);
        for (byte[] v : values) {
            checkValue(key, v);
        }
        entries.removeIf(f -> f.name().equals(key));
        for (byte[] v : values) {
            entries.add(new Field(key, v));
        }
    }

    /** {@code delete}: removes every value of {@code name}. */
    public synchronized void delete(String name) throws HeaderError.Failure {
        checkMutable();
        String key = checkName(name, false);
        entries.removeIf(f -> f.name().equals(key));
    }

    /** {@code append}: adds one value after the existing ones. */
    public synchronized void append(String name, byte[] value) throws HeaderError.Failure {
        checkMutable();
        String key = checkName(name, false);
        checkValue(key, value);
        entries.add(new Field(key, value));
    }

    /** The rc-2023-10-18 mutators, which have no error channel: invalid input is a guest error. */
    public synchronized void setUnchecked(String name, List<byte[]> values) {
        try {
            set(name, values);
        } catch (HeaderError.Failure e) {
            throw new dev.spindle.host.GuestTrapException(e.getMessage());
        }
    }

    /** {@code entries}: every field, in order. */
    public synchronized List<Field> entries() {
        return List.copyOf(entries);
    }

    private void checkMutable() throws HeaderError.Failure {
        if (!mutable) {
            throw new HeaderError.Failure(HeaderError.IMMUTABLE, "these fields are immutable");
        }
    }

    static String checkName(String name, boolean allowForbidden) throws HeaderError.Failure {
        if (name.isEmpty()) {
            throw new HeaderError.Failure(HeaderError.INVALID_SYNTAX, "empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new HeaderError.Failure(HeaderError.INVALID_SYNTAX, "header name \"" + printable(name) + "\" is not a token");
            }
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (!allowForbidden && FORBIDDEN.contains(key)) {
            throw new HeaderError.Failure(HeaderError.FORBIDDEN, "header \"" + key + "\" is set by the host, not the guest");
        }
        return key;
    }

    static void checkValue(String name, byte[] value) throws HeaderError.Failure {
        for (byte b : value) {
            int c = b & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HeaderError.Failure(HeaderError.INVALID_SYNTAX, "header \"" + name + "\" has a control byte 0x"
                        + Integer.toHexString(c) + " in its value");
            }
        }
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            if (b.length() > 60) {
                return b.append("...").toString();
            }
        }
        return b.toString();
    }
}
