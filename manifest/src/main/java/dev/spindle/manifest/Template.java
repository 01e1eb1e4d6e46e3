package dev.spindle.manifest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A string that may refer to application variables with Spin's {@code {{ name }}} syntax.
 *
 * <p>Parsing follows Spin's expressions crate: {@code {{} opens an expression that runs to the next
 * {@code }}}; the text between is trimmed and is the variable name. There is no escape syntax
 * (Spin has none). Anything else, including Spin test-harness placeholders like {@code %{port=6379}},
 * is literal text. Equality is on the raw text.
 */
public final class Template {
    private final String raw;
    private final List<String> parts; // even index: literal, odd index: variable name
    private final Location location;

    private Template(String raw, List<String> parts, Location location) {
        this.raw = raw;
        this.parts = List.copyOf(parts);
        this.location = location;
    }

    /**
     * Parses {@code raw}.
     *
     * @throws IllegalArgumentException if a {@code {{} has no matching {@code }}}
     */
    public static Template parse(String raw) {
        return parse(raw, null);
    }

    static Template parse(String raw, Location location) {
        Objects.requireNonNull(raw, "raw");
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = raw.indexOf("{{", i);
            if (open < 0) {
                parts.add(raw.substring(i));
                break;
            }
            int close = raw.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unmatched '{{' in template \"" + raw + "\"");
            }
            parts.add(raw.substring(i, open));
            parts.add(raw.substring(open + 2, close).trim());
            i = close + 2;
        }
        return new Template(raw, parts, location);
    }

    /** A template with no expressions. */
    public static Template literal(String text) {
        return new Template(Objects.requireNonNull(text, "text"), List.of(text), null);
    }

    /** The text as written in the manifest. */
    public String raw() {
        return raw;
    }

    /** Where the template was written, when it came from a manifest. */
    public Optional<Location> location() {
        return Optional.ofNullable(location);
    }

    /** True if there is no {@code {{ }}} expression. */
    public boolean isLiteral() {
        return parts.size() == 1;
    }

    /** Names referred to, in order of first appearance, without duplicates. */
    public List<String> variableNames() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        return List.copyOf(names);
    }

    /** Replaces every expression with {@code lookup.apply(name)}. */
    public String render(Function<String, String> lookup) {
        if (parts.size() == 1) {
            return parts.get(0); // no expression (a literal value, read on every variables.get): nothing to build
        }
        if (parts.size() == 3 && parts.get(0).isEmpty() && parts.get(2).isEmpty()) {
            return Objects.requireNonNull(lookup.apply(parts.get(1)), parts.get(1)); // "{{ name }}" alone
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            sb.append(i % 2 == 0 ? parts.get(i) : Objects.requireNonNull(lookup.apply(parts.get(i)), parts.get(i)));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.raw.equals(raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    @Override
    public String toString() {
        return raw;
    }
}
