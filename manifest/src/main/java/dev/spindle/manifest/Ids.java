package dev.spindle.manifest;

import java.util.Optional;

/** Spin's identifier rules (spin_serde::id): kebab-case component ids, lower_snake variable names. */
final class Ids {
    private Ids() {
    }

    /** Component ids: {@code '-'}-separated words. Returns the reason it is invalid, if it is. */
    static Optional<String> kebabProblem(String id) {
        return problem(id, '-', false);
    }

    /** Variable names: {@code '_'}-separated lowercase words. */
    static Optional<String> lowerSnakeProblem(String id) {
        return problem(id, '_', true);
    }

    private static Optional<String> problem(String id, char delim, boolean lower) {
        if (id.isEmpty()) {
            return Optional.of("empty");
        }
        char wrong = delim == '-' ? '_' : '-';
        if (id.indexOf(wrong) >= 0) {
            return Optional.of("words must be separated with '" + delim + "', not '" + wrong + "'");
        }
        for (String word : id.split(java.util.regex.Pattern.quote(String.valueOf(delim)), -1)) {
            if (word.isEmpty()) {
                return Optional.of("'" + delim + "'-separated words must not be empty");
            }
            char first = word.charAt(0);
            if (!isAsciiLetter(first)) {
                return Optional.of("'" + delim + "'-separated words must start with an ASCII letter; got '" + first + "'");
            }
            boolean upper = first >= 'A' && first <= 'Z';
            for (int i = 1; i < word.length(); i++) {
                char ch = word.charAt(i);
                if (ch >= '0' && ch <= '9') {
                    continue;
                }
                if (!isAsciiLetter(ch)) {
                    return Optional.of("'" + delim + "'-separated words may only contain alphanumeric ASCII; got '" + ch + "'");
                }
                if ((ch >= 'A' && ch <= 'Z') != upper) {
                    return Optional.of("'" + delim + "'-separated words must be all lowercase or all UPPERCASE; got \"" + word + "\"");
                }
            }
            if (lower && upper) {
                return Optional.of("Lower-case identifiers must be all lowercase; got \"" + id + "\"");
            }
        }
        return Optional.empty();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
