package dev.spindle.manifest.cron;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code cron_expression} of the spin-trigger-cron plugin: six fields,
 * {@code sec min hour day-of-month month day-of-week}, evaluated in UTC.
 *
 * <p>The plugin schedules with tokio-cron-scheduler, which parses with croner in
 * "seconds required, day-of-month AND day-of-week" mode; this class follows those semantics for
 * the syntax below (the plugin's L, W and # extensions are refused with a clear message):
 * <ul>
 *   <li>{@code *} every value; {@code ?} the same, in the two day fields only;
 *   <li>{@code n}; ranges {@code a-b}; lists {@code a,b,c-d};
 *   <li>steps {@code *}{@code /n}, {@code a-b/n} and {@code a/n} (from a to the field's maximum);
 *   <li>months 1-12 or {@code JAN}-{@code DEC}; weekdays 0-7 (0 and 7 are Sunday) or
 *       {@code SUN}-{@code SAT}; names are case-insensitive and work in ranges ({@code MON-FRI}).
 * </ul>
 * A time matches when every field matches it; in particular a restricted day-of-month and a
 * restricted day-of-week must both match ({@code 0 0 12 13 * FRI}: Friday the 13th at noon).
 * Expressions that can never fire ({@code 0 0 0 30 2 *}) are refused.
 */
public final class CronSchedule {

    /**
     * How far {@link #next} searches. A valid expression fires at least once in any 28 years (the
     * calendar's weekday cycle, e.g. February 29th on a Monday), up to 40 around a non-leap
     * century year; 400 years is the whole Gregorian cycle, so nothing valid is missed.
     */
    static final int SEARCH_YEARS = 400;

    private static final List<String> MONTHS = List.of(
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> WEEKDAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** Longest month lengths (February: 29 in leap years). */
    private static final int[] MAX_DAYS = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private enum Field {
        SECOND("second", 0, 59, List.of()),
        MINUTE("minute", 0, 59, List.of()),
        HOUR("hour", 0, 23, List.of()),
        DAY_OF_MONTH("day-of-month", 1, 31, List.of()),
        MONTH("month", 1, 12, MONTHS),
        DAY_OF_WEEK("day-of-week", 0, 7, WEEKDAYS);

        final String label;
        final int min;
        final int max;
        /** Names for min, min+1, ... (months from 1, weekdays from 0). */
        final List<String> names;

        Field(String label, int min, int max, List<String> names) {
            this.label = label;
            this.min = min;
            this.max = max;
            this.names = names;
        }
    }

    private final String expression;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek; // 0..6, Sunday = 0

    private CronSchedule(String expression, BitSet[] fields) {
        this.expression = expression;
        this.seconds = fields[0];
        this.minutes = fields[1];
        this.hours = fields[2];
        this.daysOfMonth = fields[3];
        this.months = fields[4];
        BitSet dow = fields[5];
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        this.daysOfWeek = dow;
    }

    /**
     * Parses a six-field expression.
     *
     * @throws InvalidCronExpressionException with a one-line message naming the wrong field
     */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String trimmed = expression.trim();
        String[] parts = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (parts.length != 6) {
            String hint = parts.length == 5
                    ? "; spin-trigger-cron expressions start with a seconds field, e.g. \"0 " + trimmed + "\""
                    : parts.length == 7 ? "; the optional year field is not supported" : "";
            throw new InvalidCronExpressionException("expected 6 fields (sec min hour day-of-month month day-of-week),"
                    + " got " + parts.length + hint);
        }
        Field[] fields = Field.values();
        BitSet[] sets = new BitSet[fields.length];
        for (int i = 0; i < fields.length; i++) {
            sets[i] = parseField(fields[i], parts[i]);
        }
        CronSchedule schedule = new CronSchedule(trimmed, sets);
        schedule.checkSatisfiable();
        return schedule;
    }

    private static BitSet parseField(Field field, String text) {
        BitSet set = new BitSet(field.max + 1);
        for (String item : text.split(",", -1)) {
            parseItem(field, text, item, set);
        }
        return set;
    }

    private static void parseItem(Field field, String text, String item, BitSet set) {
        if (item.isEmpty()) {
            throw invalid(field, text, "empty list item");
        }
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = number(field, text, item.substring(slash + 1), "step");
            if (step < 1) {
                throw invalid(field, text, "step must be at least 1");
            }
        }
        int from;
        int to;
        if (range.equals("*") || range.equals("?")) {
            if (range.equals("?") && field != Field.DAY_OF_MONTH && field != Field.DAY_OF_WEEK) {
                throw invalid(field, text, "? is only allowed in day-of-month and day-of-week");
            }
            from = field.min;
            to = field == Field.DAY_OF_WEEK ? 6 : field.max; // 7 is an alias of 0
        } else {
            int dash = range.indexOf('-', 1);
            if (dash >= 0) {
                from = value(field, text, range.substring(0, dash));
                to = value(field, text, range.substring(dash + 1));
                if (field == Field.DAY_OF_WEEK && to == 0 && from > 0) {
                    to = 7; // FRI-SUN: Sunday as the end of a range is its alias 7
                }
                if (from > to) {
                    throw invalid(field, text, "range " + range + " runs backwards");
                }
            } else {
                from = value(field, text, range);
                to = slash >= 0 ? (field == Field.DAY_OF_WEEK ? 6 : field.max) : from; // a/n runs to the maximum
                to = Math.max(to, from);
            }
        }
        for (int v = from; v <= to; v += step) {
            set.set(v);
        }
    }

    private static int value(Field field, String text, String token) {
        String upper = token.toUpperCase(Locale.ROOT);
        int named = field.names.indexOf(upper);
        if (named >= 0) {
            return named + field.min;
        }
        if (upper.equals("L") || upper.endsWith("L") || upper.contains("W") || upper.contains("#")) {
            throw invalid(field, text, "\"" + token + "\" (L, W and # are not supported)");
        }
        int v = number(field, text, token, "value");
        if (v < field.min || v > field.max) {
            throw invalid(field, text, v + " is out of range " + field.min + "-" + field.max);
        }
        return v;
    }

    private static int number(Field field, String text, String token, String what) {
        if (token.isEmpty() || token.length() > 9 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String names = field.names.isEmpty() ? "" : " or a name (" + field.names.get(0) + "-"
                    + field.names.get(field.names.size() - 1) + ")";
            throw invalid(field, text, "\"" + token + "\" is not a " + what + " (expected a number"
                    + (what.equals("value") ? names : "") + ")");
        }
        return Integer.parseInt(token);
    }

    private static InvalidCronExpressionException invalid(Field field, String text, String why) {
        return new InvalidCronExpressionException(field.label + " field \"" + text + "\": " + why);
    }

    /** Refuses day-of-month/month combinations that never occur (a weekday always comes round). */
    private void checkSatisfiable() {
        for (int m = months.nextSetBit(1); m >= 0; m = months.nextSetBit(m + 1)) {
            int first = daysOfMonth.nextSetBit(1);
            if (first >= 0 && first <= MAX_DAYS[m]) {
                return;
            }
        }
        throw new InvalidCronExpressionException("day-of-month field: no selected day exists in the selected months,"
                + " so the schedule would never fire");
    }

    /** The expression as written (trimmed). */
    public String expression() {
        return expression;
    }

    /**
     * The first time strictly after {@code after} (to the second) that matches, in UTC. Empty
     * only if nothing matches within {@value #SEARCH_YEARS} years (cannot happen for a parsed
     * expression; kept so a bug cannot loop forever).
     */
    public Optional<Instant> next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        LocalDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).plusMonths(1);
            } else if (!daysOfMonth.get(t.getDayOfMonth()) || !daysOfWeek.get(weekday(t.getDayOfWeek()))) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return Optional.of(t.toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    /** Sunday = 0 ... Saturday = 6. */
    private static int weekday(DayOfWeek d) {
        return d.getValue() % 7;
    }

    @Override
    public String toString() {
        return expression;
    }
}
