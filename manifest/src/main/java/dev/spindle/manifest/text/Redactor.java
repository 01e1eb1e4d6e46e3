package dev.spindle.manifest.text;

import dev.spindle.manifest.hosts.OutboundUrl;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hides secret values in text bound for a log line, an error message or {@code spindle check}'s
 * output: every occurrence of each value, wherever it stands, is replaced by {@code ***}. Built
 * from the resolved application variables declared {@code secret = true}
 * ({@code VariableResolver.redactor()}), and used by the runtime's log, by the errors of
 * {@code Spindle.load} and {@code SpindleApp}, and by the CLI.
 *
 * <p>Matching is by value, not by position, so a secret is hidden inside an entry that failed to
 * parse, as a whole trigger address, or anywhere else. Each value is also matched in the forms a
 * message may show it in: percent-encoded, with control characters escaped ({@link SafeText}),
 * and, for a value that is an address, as the address is shown ({@code redis://***@host}), since
 * its host may be the secret part.
 */
public final class Redactor {
    private static final Redactor NONE = new Redactor(List.of());
    private static final String MASK = "***";

    private final List<String> forms; // longest first, so a value inside a longer form is not half-replaced

    private Redactor(List<String> forms) {
        this.forms = forms;
    }

    /** Hides nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** Hides each of these values (empty ones are ignored: there is nothing to hide). */
    public static Redactor of(Collection<String> secrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isEmpty()) {
                continue;
            }
            forms.add(s);
            forms.add(OutboundUrl.urlEncode(s));
            forms.add(SafeText.escape(s));
            if (s.contains("://")) {
                forms.add(OutboundUrl.redactUserinfo(s));
                forms.add(SafeText.escape(OutboundUrl.redactUserinfo(s)));
                try {
                    forms.add(OutboundUrl.parse(s).redacted());
                } catch (IllegalArgumentException notAnAddress) {
                    // only the textual forms, then
                }
            }
        }
        // A form that is only the mask (a secret "***"), or shorter forms that are part of the mask, would
        // make redaction loop or eat the mask itself; they cannot be told apart from it anyway.
        forms.removeIf(f -> MASK.contains(f) || f.equals("://") || f.isEmpty());
        List<String> sorted = new ArrayList<>(forms);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return sorted.isEmpty() ? NONE : new Redactor(List.copyOf(sorted));
    }

    /** Whether there is anything to hide. */
    public boolean isEmpty() {
        return forms.isEmpty();
    }

    /** {@code text} with every secret value replaced by {@code ***}. */
    public String redact(String text) {
        if (text == null || forms.isEmpty()) {
            return text;
        }
        String out = text;
        for (String f : forms) {
            if (out.contains(f)) {
                out = out.replace(f, MASK);
            }
        }
        return out;
    }

    /**
     * The exception, or one like it whose message hides the secrets. A {@link Redactable} keeps its type and
     * data; any other exception whose message held a secret becomes an {@link IllegalStateException} naming
     * the original type, without the cause (whose message may hold the secret too).
     */
    public RuntimeException redact(RuntimeException e) {
        String message = e.getMessage();
        if (message == null || forms.isEmpty()) {
            return e;
        }
        String redacted = redact(message);
        if (redacted.equals(message)) {
            return e;
        }
        if (e instanceof Redactable r) {
            return r.withMessage(this::redact);
        }
        if (e instanceof IllegalArgumentException) {
            return new IllegalArgumentException(redacted);
        }
        return new IllegalStateException(e.getClass().getSimpleName() + ": " + redacted);
    }

    /** An exception that can be rebuilt with its message passed through a redaction, keeping its type. */
    public interface Redactable {
        RuntimeException withMessage(java.util.function.UnaryOperator<String> redaction);
    }
}
