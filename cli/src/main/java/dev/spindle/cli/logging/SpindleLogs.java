package dev.spindle.cli.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * The CLI's log sink, the one place every event is formatted and written: the runtime's lines
 * (logger {@code spindle}), guest output ({@code spindle.guest}), the access log
 * ({@code spindle.access}), and the WARN and ERROR events of the libraries (Jetty, Jedis).
 *
 * <p>Text: {@code 2026-12-01T13:50:01.123Z INFO [component] message}, guest lines as
 * {@code [component] stdout: line}, access entries as {@code [component] access: GET / 200 1.234 ms}.
 * JSON: one object per line with {@code time}, {@code level}, {@code logger}, the event's key-value
 * pairs ({@code component}, {@code method}, {@code path}, {@code status}, {@code duration_ms}, ...)
 * and {@code message}. Times are ISO-8601 in UTC with milliseconds. A throwable is reduced to its
 * class and message: the log never carries a stack trace.
 */
public final class SpindleLogs {
    static final String HOST = "spindle";
    static final String GUEST = "spindle.guest";
    static final String ACCESS = "spindle.access";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private static volatile LogSettings settings = LogSettings.defaults();
    private static final Map<Path, OutputStream> files = new HashMap<>();

    private SpindleLogs() {}

    /**
     * Applies the options of {@code spindle run}; creates the log directory.
     *
     * @throws IllegalArgumentException when the log directory cannot be created (one line)
     */
    public static synchronized void configure(LogSettings s) {
        closeFiles();
        s.logDirectory().ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalArgumentException("--log-dir: cannot create " + dir + ": " + e.getMessage());
            }
        });
        settings = s;
    }

    /** The settings in force. */
    public static LogSettings settings() {
        return settings;
    }

    /** Whether {@code logger} is one of the runtime's own ({@code spindle} and below) rather than a library's. */
    static boolean isHost(String logger) {
        return logger.equals(HOST) || logger.startsWith(HOST + ".");
    }

    /** Whether events of this logger and level are written at all (to the terminal or a log file). */
    static boolean enabled(String logger, Level level) {
        if (isHost(logger)) {
            if (level.toInt() < Level.INFO.toInt()) {
                return false;
            }
            if (settings.quiet() && (logger.equals(ACCESS) || logger.equals(GUEST))) {
                return logger.equals(GUEST) && settings.logDirectory().isPresent();
            }
            return true;
        }
        return libraryEnabled(level);
    }

    /** Whether a library's events of this level are written: whatever the settings, WARN and ERROR only. */
    static boolean libraryEnabled(Level level) {
        // Libraries' INFO lines (Jetty's start banner, ...) are not the operator's business.
        return level.toInt() >= Level.WARN.toInt();
    }

    static void write(String logger, Level level, Instant time, String message, List<KeyValuePair> pairs, Throwable thrown) {
        String text = message == null ? "" : message;
        if (thrown != null) {
            text += " (" + thrown.getClass().getSimpleName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()) + ")";
        }
        LogSettings s = settings;
        if (logger.equals(GUEST)) {
            toLogFile(s, value(pairs, "component"), value(pairs, "stream"), text);
            if (s.quiet()) {
                return;
            }
        }
        String line = s.format() == LogSettings.Format.JSON ? json(logger, level, time, text, pairs) : text(logger, level, time, text, pairs);
        PrintStream err = System.err; // read now: tests and embedders may have replaced it
        synchronized (SpindleLogs.class) {
            err.println(line);
        }
    }

    static String text(String logger, Level level, Instant time, String message, List<KeyValuePair> pairs) {
        StringBuilder sb = new StringBuilder(TIME.format(time)).append(' ').append(level).append(' ');
        String component = value(pairs, "component");
        if (logger.startsWith(HOST) && component != null) {
            sb.append('[').append(component).append("] ");
            if (logger.equals(GUEST)) {
                sb.append(value(pairs, "stream")).append(": ");
            } else if (logger.equals(ACCESS)) {
                sb.append("access: ");
            }
        } else {
            sb.append('[').append(logger).append("] ");
        }
        return sb.append(message).toString();
    }

    static String json(String logger, Level level, Instant time, String message, List<KeyValuePair> pairs) {
        StringBuilder sb = new StringBuilder("{\"time\":\"").append(TIME.format(time)).append("\",\"level\":\"").append(level)
                .append("\",\"logger\":");
        quote(sb, logger);
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                if (p.key.equals("start")) {
                    continue; // "time" says it (the access entry's start is for bindings without one)
                }
                sb.append(',');
                quote(sb, p.key);
                sb.append(':');
                if (p.value instanceof Number || p.value instanceof Boolean) {
                    sb.append(p.value);
                } else {
                    quote(sb, String.valueOf(p.value));
                }
            }
        }
        sb.append(",\"message\":");
        quote(sb, message);
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static String value(List<KeyValuePair> pairs, String key) {
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                if (p.key.equals(key)) {
                    return String.valueOf(p.value);
                }
            }
        }
        return null;
    }

    /** Appends a guest line to {@code <dir>/<component>_<stream>.txt}, as Spin does. */
    private static void toLogFile(LogSettings s, String component, String stream, String line) {
        if (s.logDirectory().isEmpty() || component == null || stream == null) {
            return;
        }
        Path file = s.logDirectory().get().resolve(component.replaceAll("[^A-Za-z0-9._-]", "_") + "_" + stream + ".txt");
        synchronized (SpindleLogs.class) {
            try {
                OutputStream out = files.get(file);
                if (out == null) {
                    out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    files.put(file, out);
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                System.err.println(TIME.format(Instant.now()) + " WARN [spindle] --log-dir: cannot write " + file + ": " + e.getMessage());
            }
        }
    }

    private static synchronized void closeFiles() {
        for (OutputStream out : files.values()) {
            try {
                out.close();
            } catch (IOException e) {
                // closing a log file we only appended to: nothing left to save
            }
        }
        files.clear();
    }
}
