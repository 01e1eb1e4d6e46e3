package dev.spindle.runtime.trigger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a CGI response (what a WAGI guest writes to stdout): header lines, a blank line, then
 * the body. {@code Status: 404 Not Found} sets the status; {@code Location:} without a status
 * means 302; every other header is passed on. Lines may end in LF or CRLF.
 */
final class CgiResponse {
    /** A guest that never ends its headers must not make the host scan unbounded text as headers. */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private CgiResponse() {}

    /** Thrown for output that is not a CGI response; the message is safe to log. */
    static final class MalformedException extends RuntimeException {
        MalformedException(String message) {
            super(message);
        }
    }

    static HttpResponseData parse(byte[] out) {
        int end = -1;
        int bodyStart = -1;
        int limit = Math.min(out.length, MAX_HEADER_BYTES);
        for (int i = 0; i < limit; i++) {
            if (out[i] != '\n') {
                continue;
            }
            // A line ending here; is the next line empty?
            if (i + 1 < out.length && out[i + 1] == '\n') {
                end = i;
                bodyStart = i + 2;
                break;
            }
            if (i + 2 < out.length && out[i + 1] == '\r' && out[i + 2] == '\n') {
                end = i;
                bodyStart = i + 3;
                break;
            }
        }
        if (out.length > 0 && out[0] == '\n') {
            end = 0;
            bodyStart = 1;
        } else if (out.length > 1 && out[0] == '\r' && out[1] == '\n') {
            end = 0;
            bodyStart = 2;
        }
        if (end < 0) {
            throw new MalformedException(out.length == 0 ? "the guest wrote nothing to stdout"
                    : "the guest's output has no blank line ending the CGI headers");
        }
        String head = new String(out, 0, end, StandardCharsets.UTF_8);
        int status = -1;
        boolean location = false;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line : head.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedException("malformed CGI header line: " + truncate(line));
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("status")) {
                String code = value.split("\\s+", 2)[0];
                try {
                    status = Integer.parseInt(code);
                } catch (NumberFormatException e) {
                    throw new MalformedException("CGI Status is not a number: " + truncate(value));
                }
                if (status < 100 || status > 999) {
                    throw new MalformedException("CGI Status out of range: " + status);
                }
                continue;
            }
            if (lower.equals("location")) {
                location = true;
            }
            headers.add(Map.entry(lower, value));
        }
        if (status < 0) {
            status = location ? 302 : 200;
        }
        return new HttpResponseData(status, headers, Arrays.copyOfRange(out, bodyStart, out.length));
    }

    private static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
