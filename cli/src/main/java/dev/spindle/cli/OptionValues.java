package dev.spindle.cli;

import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for options with units. Each refuses what is out of range with the unit in the
 * message; picocli prefixes it with the option's name ("Invalid value for option '--timeout': ...").
 * Values are parsed exactly (BigDecimal), so a huge number is refused rather than overflowing.
 */
final class OptionValues {
    private OptionValues() {
    }

    /** Beyond this a timeout means "never", which no option here wants: about 31 years. */
    static final long MAX_SECONDS = 1_000_000_000L;
    /** A 32-bit guest's whole address space: 65,536 pages of 64 KiB. */
    static final long MAX_GUEST_MEMORY_MIB = 4096;
    /** Host memory caps are compared against the JVM's heap; 1 TiB is far past any heap. */
    static final long MAX_HOST_MEMORY_MIB = 1L << 20;

    /** SECONDS: a positive decimal number of seconds, at most {@link #MAX_SECONDS}. */
    static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            BigDecimal s = number(text, "seconds");
            if (s.signum() <= 0 || s.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
                throw new TypeConversionException(shorten(text) + " seconds is out of range (more than 0, at most " + MAX_SECONDS + " seconds)");
            }
            long millis = s.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            return Duration.ofMillis(millis);
        }
    }

    /** MIB for a guest's linear memory: whole MiB from 1 to 4096, returned in bytes. */
    static final class GuestMebibytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return mebibytes(text, MAX_GUEST_MEMORY_MIB, " (a 32-bit guest can address 4096 MiB at most)");
        }
    }

    /** MIB for host memory: whole MiB from 1 to 1 TiB, returned in bytes. */
    static final class HostMebibytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return mebibytes(text, MAX_HOST_MEMORY_MIB, "");
        }
    }

    /** BYTES: a whole number of bytes. */
    static final class Bytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return whole(text, "bytes", 0, Long.MAX_VALUE, "");
        }
    }

    /** N: a whole count from 1 to 1,000,000 (threads and queue slots; more is a typo). */
    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return (int) whole(text, "", 1, 1_000_000, "");
        }
    }

    /** N where 0 means "none" (queue slots): 0 to 1,000,000. */
    static final class CountFromZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return (int) whole(text, "", 0, 1_000_000, "");
        }
    }

    /** MILLISECONDS: a whole number from 0 to one hour. */
    static final class Millis implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return whole(text, "milliseconds", 0, 3_600_000, "");
        }
    }

    private static long mebibytes(String text, long max, String why) {
        return whole(text, "MiB", 1, max, why) << 20;
    }

    private static long whole(String text, String unit, long min, long max, String why) {
        BigDecimal n = number(text, unit.isEmpty() ? "a whole number" : unit);
        String spaced = unit.isEmpty() ? "" : " " + unit;
        if (n.stripTrailingZeros().scale() > 0) {
            throw new TypeConversionException(shorten(text) + spaced + " is not a whole number" + spaced);
        }
        if (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new TypeConversionException(shorten(text) + spaced + " is out of range (" + min + " to " + max + spaced + why + ")");
        }
        return n.longValueExact();
    }

    private static BigDecimal number(String text, String unit) {
        String t = text.strip();
        // Plain digits only: no exponent ("1e999999999" would be a huge number to expand), no hex.
        if (!t.matches("[+-]?[0-9]*\\.?[0-9]+")) {
            throw new TypeConversionException("'" + shorten(text) + "' is not a number of " + unit);
        }
        return new BigDecimal(t);
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
