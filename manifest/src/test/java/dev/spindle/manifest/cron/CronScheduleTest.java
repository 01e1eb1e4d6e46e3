package dev.spindle.manifest.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {

    /** The first {@code n} fire times after {@code from}. */
    private static List<String> next(String expression, String from, int n) {
        CronSchedule s = CronSchedule.parse(expression);
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(from);
        for (int i = 0; i < n; i++) {
            t = s.next(t).orElseThrow();
            out.add(t.toString());
        }
        return out;
    }

    @ParameterizedTest(name = "{0} after {1}")
    @CsvSource(delimiter = '|', value = {
        // every second; strictly after, truncated to the second
        "* * * * * *          | 2024-01-01T00:00:00.500Z | 2024-01-01T00:00:01Z 2024-01-01T00:00:02Z 2024-01-01T00:00:03Z",
        "*/15 * * * * *       | 2024-01-01T00:00:00Z     | 2024-01-01T00:00:15Z 2024-01-01T00:00:30Z 2024-01-01T00:00:45Z",
        // README example: 0/15 is a/n (from 0 to the maximum in steps of 15)
        "0/15 * * * * *       | 2024-01-01T00:00:46Z     | 2024-01-01T00:01:00Z 2024-01-01T00:01:15Z 2024-01-01T00:01:30Z",
        "2,8 * * * * *        | 2024-01-01T00:00:05Z     | 2024-01-01T00:00:08Z 2024-01-01T00:01:02Z 2024-01-01T00:01:08Z",
        "5-7 * * * * *        | 2024-01-01T00:00:06Z     | 2024-01-01T00:00:07Z 2024-01-01T00:01:05Z 2024-01-01T00:01:06Z",
        "10-40/15 * * * * *   | 2024-01-01T00:00:00Z     | 2024-01-01T00:00:10Z 2024-01-01T00:00:25Z 2024-01-01T00:00:40Z",
        "0 * * * * *          | 2024-01-01T00:00:00Z     | 2024-01-01T00:01:00Z 2024-01-01T00:02:00Z 2024-01-01T00:03:00Z",
        "0 0 * * * *          | 2024-01-01T10:30:00Z     | 2024-01-01T11:00:00Z 2024-01-01T12:00:00Z 2024-01-01T13:00:00Z",
        // README example: minute 1/2 in hours 11 and 12, days 5-10
        "0 1/2 11,12 5-10 * * | 2024-01-10T12:58:00Z     | 2024-01-10T12:59:00Z 2024-02-05T11:01:00Z 2024-02-05T11:03:00Z",
        // month rollover, end of month, year rollover
        "0 0 0 1 * *          | 2024-01-15T00:00:00Z     | 2024-02-01T00:00:00Z 2024-03-01T00:00:00Z 2024-04-01T00:00:00Z",
        "0 0 0 31 * *         | 2024-01-31T00:00:00Z     | 2024-03-31T00:00:00Z 2024-05-31T00:00:00Z 2024-07-31T00:00:00Z",
        "0 0 0 1 jan *        | 2024-06-01T00:00:00Z     | 2025-01-01T00:00:00Z 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z",
        "0 30 9 * JUN-AUG/2 * | 2024-06-30T09:30:00Z     | 2024-08-01T09:30:00Z 2024-08-02T09:30:00Z 2024-08-03T09:30:00Z",
        // leap day
        "0 0 12 29 2 *        | 2024-03-01T00:00:00Z     | 2028-02-29T12:00:00Z 2032-02-29T12:00:00Z 2036-02-29T12:00:00Z",
        // weekdays: 0 and 7 are Sunday; names; ranges ending in Sunday
        "0 0 9 * * MON-FRI    | 2024-01-05T09:00:00Z     | 2024-01-08T09:00:00Z 2024-01-09T09:00:00Z 2024-01-10T09:00:00Z",
        "0 0 0 * * 0          | 2024-01-01T00:00:00Z     | 2024-01-07T00:00:00Z 2024-01-14T00:00:00Z 2024-01-21T00:00:00Z",
        "0 0 0 * * 7          | 2024-01-01T00:00:00Z     | 2024-01-07T00:00:00Z 2024-01-14T00:00:00Z 2024-01-21T00:00:00Z",
        "0 0 0 * * sat-sun    | 2024-01-01T00:00:00Z     | 2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-13T00:00:00Z",
        "0 0 0 ? * 6,0        | 2024-01-01T00:00:00Z     | 2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-13T00:00:00Z",
        // day-of-month AND day-of-week (croner's with_dom_and_dow, as tokio-cron-scheduler sets it)
        "0 0 12 13 * FRI      | 2024-01-01T00:00:00Z     | 2024-09-13T12:00:00Z 2024-12-13T12:00:00Z 2025-06-13T12:00:00Z",
        // spaces around fields are ignored
        "  0   0  0  1  1  ?  | 2023-12-31T23:59:59Z     | 2024-01-01T00:00:00Z 2025-01-01T00:00:00Z 2026-01-01T00:00:00Z",
    })
    void nextFireTimes(String expression, String from, String expected) {
        assertEquals(List.of(expected.split(" ")), next(expression, from, 3));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "* * * * *            | expected 6 fields (sec min hour day-of-month month day-of-week), got 5; spin-trigger-cron expressions start with a seconds field, e.g. \"0 * * * * *\"",
        "* * * * * * 2024     | got 7; the optional year field is not supported",
        "''                   | got 0",
        "60 * * * * *         | second field \"60\": 60 is out of range 0-59",
        "0 61 * * * *         | minute field \"61\": 61 is out of range 0-59",
        "0 0 24 * * *         | hour field \"24\": 24 is out of range 0-23",
        "0 0 0 0 * *          | day-of-month field \"0\": 0 is out of range 1-31",
        "0 0 0 1 13 *         | month field \"13\": 13 is out of range 1-12",
        "0 0 0 1 * 8          | day-of-week field \"8\": 8 is out of range 0-7",
        "0 0 0 1 FOO *        | month field \"FOO\": \"FOO\" is not a value (expected a number or a name (JAN-DEC))",
        "0 0 0 * * MONDAY     | day-of-week field \"MONDAY\": \"MONDAY\" is not a value (expected a number or a name (SUN-SAT))",
        "*/0 * * * * *        | second field \"*/0\": step must be at least 1",
        "*/x * * * * *        | second field \"*/x\": \"x\" is not a step (expected a number)",
        "0 30-10 * * * *      | minute field \"30-10\": range 30-10 runs backwards",
        "0 1,,2 * * * *       | minute field \"1,,2\": empty list item",
        "? * * * * *          | second field \"?\": ? is only allowed in day-of-month and day-of-week",
        "0 0 0 L * *          | day-of-month field \"L\": \"L\" (L, W and # are not supported)",
        "0 0 0 * * 5#2        | day-of-week field \"5#2\": \"5#2\" (L, W and # are not supported)",
        "0 0 0 30 2 *         | day-of-month field: no selected day exists in the selected months, so the schedule would never fire",
        "0 0 0 -1 * *         | day-of-month field \"-1\": \"-1\" is not a value (expected a number)",
    })
    void invalidExpressionsNameTheField(String expression, String message) {
        InvalidCronExpressionException e = assertThrows(InvalidCronExpressionException.class, () -> CronSchedule.parse(expression));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
