package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written variable-name check of {@code variables.get} accepts exactly what its regular expression did. */
class VariableNamesTest {
    private static final Pattern ORACLE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    @Test
    void acceptsExactlyTheLowerSnakeCaseNames() {
        List<String> names = List.of("", "a", "z9", "api_key", "a_1", "a_1b_c2", "redis_address", "x__y", "_a", "a_",
                "A", "aB", "a-b", "1a", "a b", "a.b", "é", "a_é", "a__", "_", "__", "a1_2_3", "ab_", "k_v_");
        for (String name : names) {
            assertEquals(ORACLE.matcher(name).matches(), VariablesCapability.validName(name), name);
        }
        // Every string of up to 4 characters over an alphabet with each class the check tells apart.
        char[] alphabet = {'a', 'z', '0', '9', '_', 'A', '-', '{'};
        StringBuilder b = new StringBuilder();
        for (int length = 1; length <= 4; length++) {
            int total = (int) Math.pow(alphabet.length, length);
            for (int n = 0; n < total; n++) {
                b.setLength(0);
                for (int i = 0, k = n; i < length; i++, k /= alphabet.length) {
                    b.append(alphabet[k % alphabet.length]);
                }
                String name = b.toString();
                assertEquals(ORACLE.matcher(name).matches(), VariablesCapability.validName(name), name);
            }
        }
    }
}
