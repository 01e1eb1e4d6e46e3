package dev.spindle.host;

import dev.spindle.manifest.text.Redactor;
import dev.spindle.manifest.text.SafeText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What stands between everything that logs (host functions, triggers, the engine) and the log an
 * operator reads. Each line is made safe and bounded here, in one place:
 * <ul>
 *   <li>secret variable values are replaced by {@code ***} ({@link Redactor});
 *   <li>control characters are escaped ({@link SafeText}), so a newline in a guest's address cannot
 *       forge a line that seems to come from another component, and an ANSI escape cannot repaint
 *       the terminal;
 *   <li>a message is cut at {@value #MAX_MESSAGE_CHARS} characters;
 *   <li>repeated lines are rate-limited per component and kind of message (a token bucket of
 *       {@value #BURST} lines refilled at {@value #PER_SECOND} a second): the rest are counted
 *       and reported as one {@code suppressed N similar lines} line when the bucket has refilled,
 *       or within {@value #SUMMARY_SECONDS} s, or at {@link #close()}.
 * </ul>
 * A message's kind is its text with quoted parts and numbers removed, so 100,000 denied opens of
 * different addresses are one kind. At most {@value #MAX_KINDS_PER_COMPONENT} kinds are told apart
 * per component; further ones share one bucket, so a guest cannot outgrow the limit by varying
 * the words.
 */
public final class SafeLog implements HostLog, AutoCloseable {
    /** Longest message written; a longer one is cut, saying how much was left out. */
    public static final int MAX_MESSAGE_CHARS = 2_000;
    /** Lines of one kind written at once before the limit applies: enough for any honest burst of errors. */
    public static final int BURST = 50;
    /** Lines of one kind a second after the burst: readable as it scrolls, and 20 KB/s at most per kind. */
    public static final int PER_SECOND = 10;
    /** Suppressed lines are reported at least this often while a flood goes on. */
    public static final int SUMMARY_SECONDS = 5;
    /** Kinds tracked per component; a guest varying its messages shares one overflow bucket beyond this. */
    public static final int MAX_KINDS_PER_COMPONENT = 64;

    private final HostLog target;
    private final Redactor redactor;
    private final LongSupplier nanos;
    private final Map<String, Map<String, Bucket>> buckets = new HashMap<>();
    private final boolean summaryThread;
    private ScheduledExecutorService summaries;
    private boolean closed;

    private SafeLog(HostLog target, Redactor redactor, LongSupplier nanos, boolean summaryThread) {
        this.target = Objects.requireNonNull(target, "target");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.nanos = nanos;
        this.summaryThread = summaryThread;
    }

    /** Wraps {@code target}; lines reach it redacted, escaped and rate-limited. */
    public static SafeLog wrap(HostLog target, Redactor redactor) {
        return new SafeLog(target, redactor, System::nanoTime, true);
    }

    /** For tests: time comes from {@code nanos}, and no summary thread is started. */
    static SafeLog withClock(HostLog target, Redactor redactor, LongSupplier nanos) {
        return new SafeLog(target, redactor, nanos, false);
    }

    /** The redaction this log applies, for text that reaches the operator by another way (guest output). */
    public Redactor redactor() {
        return redactor;
    }

    /** Text made fit for one log line: secrets hidden, control characters escaped, length capped. */
    public String clean(String text) {
        return SafeText.escape(redactor.redact(text == null ? "null" : text), MAX_MESSAGE_CHARS);
    }

    @Override
    public void log(Level level, String componentId, String message) {
        String component = SafeText.escape(redactor.redact(String.valueOf(componentId)), 200);
        emit(level, component, "", clean(message), text -> target.log(level, component, text));
    }

    /**
     * A line a server's guest wrote to {@code stream}: cleaned and rate-limited like the host's own
     * lines (its kinds apart from theirs), then handed to the target's {@link HostLog#guestOutput}.
     */
    @Override
    public void guestOutput(String componentId, String stream, String line) {
        String component = SafeText.escape(redactor.redact(String.valueOf(componentId)), 200);
        emit(Level.INFO, component, "output: ", clean(line), text -> target.guestOutput(component, stream, text));
    }

    /**
     * An access entry, its path cleaned like a line (a request path is the client's text); never
     * rate-limited: the access log has one entry per request.
     */
    @Override
    public void access(Access entry) {
        target.access(new Access(entry.start(), clean(entry.method()), clean(entry.path()), entry.status(), entry.duration(),
                SafeText.escape(redactor.redact(String.valueOf(entry.componentId())), 200)));
    }

    private void emit(Level level, String component, String kindPrefix, String line, Consumer<String> write) {
        String pending = null;
        synchronized (this) {
            Bucket b = bucket(component, level, kindPrefix + kind(line), write);
            long now = nanos.getAsLong();
            b.refill(now);
            if (b.tokens < 1) {
                b.suppressed++;
                if (b.suppressed == 1) {
                    b.firstSuppressedAt = now;
                }
                scheduleSummaries();
                return;
            }
            b.tokens--;
            if (b.suppressed > 0) {
                pending = b.summary(now);
            }
        }
        if (pending != null) {
            write.accept(pending);
        }
        write.accept(line);
    }

    /** Writes the summary of every kind with suppressed lines (the flood may have ended). */
    public void flush() {
        record Summary(Consumer<String> write, String text) {}
        List<Summary> out = new ArrayList<>();
        synchronized (this) {
            long now = nanos.getAsLong();
            buckets.values().forEach(kinds -> kinds.values().forEach(b -> {
                if (b.suppressed > 0) {
                    out.add(new Summary(b.write, b.summary(now)));
                }
            }));
        }
        out.forEach(s -> s.write().accept(s.text()));
    }

    /** Reports what is still suppressed and stops the summary thread. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = summaries;
            summaries = null;
        }
        if (s != null) {
            s.shutdownNow();
        }
        flush();
    }

    private void scheduleSummaries() {
        if (summaries != null || closed || !summaryThread) {
            return;
        }
        summaries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spindle-log-summaries");
            t.setDaemon(true);
            return t;
        });
        summaries.scheduleWithFixedDelay(this::flush, SUMMARY_SECONDS, SUMMARY_SECONDS, TimeUnit.SECONDS);
    }

    private Bucket bucket(String component, Level level, String kind, Consumer<String> write) {
        Map<String, Bucket> kinds = buckets.computeIfAbsent(component, c -> new HashMap<>());
        String key = level + " " + kind;
        Bucket b = kinds.get(key);
        if (b == null) {
            if (kinds.size() >= MAX_KINDS_PER_COMPONENT) {
                key = level + " (other)";
                b = kinds.get(key);
            }
            if (b == null) {
                b = new Bucket(kind, nanos.getAsLong(), write);
                kinds.put(key, b);
            }
        }
        return b;
    }

    private static final int KIND_LENGTH = 80;

    /**
     * The message without what varies between lines of one kind: each quoted part (in "", `` or
     * '', up to the next same quote) becomes {@code ""} and each run of digits {@code N}; the first
     * 80 characters of that. One pass by hand, not two regular expressions: it runs for every line
     * a guest prints, suppressed ones included, and compiling the expressions each time was a
     * measurable part of a guest that prints a line per request.
     */
    static String kind(String line) {
        StringBuilder k = new StringBuilder(Math.min(line.length(), KIND_LENGTH));
        int i = 0;
        while (i < line.length() && k.length() < KIND_LENGTH) {
            char c = line.charAt(i);
            int close = c == '"' || c == '`' || c == '\'' ? line.indexOf(c, i + 1) : -1;
            if (close > 0) {
                k.append("\"\"");
                i = close + 1;
            } else if (c >= '0' && c <= '9') {
                k.append('N');
                while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
                    i++;
                }
            } else {
                k.append(c);
                i++;
            }
        }
        return k.length() > KIND_LENGTH ? k.substring(0, KIND_LENGTH) : k.toString();
    }

    private static final class Bucket {
        final String example;
        final Consumer<String> write;
        double tokens = BURST;
        long refilledAt;
        long suppressed;
        long firstSuppressedAt;

        Bucket(String kind, long now, Consumer<String> write) {
            this.example = kind;
            this.refilledAt = now;
            this.write = write;
        }

        void refill(long now) {
            double seconds = (now - refilledAt) / 1e9;
            tokens = Math.min(BURST, tokens + seconds * PER_SECOND);
            refilledAt = now;
        }

        String summary(long now) {
            long n = suppressed;
            suppressed = 0;
            double seconds = Math.max(0, (now - firstSuppressedAt) / 1e9);
            return String.format("suppressed %,d similar line%s in %.1f s (%s)", n, n == 1 ? "" : "s", seconds, example);
        }
    }
}
