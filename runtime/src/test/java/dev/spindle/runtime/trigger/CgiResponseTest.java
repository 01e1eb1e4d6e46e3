package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgiResponseTest {
    private static HttpResponseData parse(String s) {
        return CgiResponse.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void statusHeadersAndBody() {
        HttpResponseData r = parse("Status: 404 Not Found\nContent-Type: text/plain\nX-A: 1\n\nnope\n");
        assertEquals(404, r.status());
        assertEquals(List.of(Map.entry("content-type", "text/plain"), Map.entry("x-a", "1")), r.headers());
        assertEquals("nope\n", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void crlfLineEndings() {
        HttpResponseData r = parse("Content-Type: text/html\r\n\r\n<p>");
        assertEquals(200, r.status());
        assertEquals("<p>", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void locationWithoutStatusIsARedirect() {
        HttpResponseData r = parse("Location: /elsewhere\n\n");
        assertEquals(302, r.status());
        assertEquals(List.of(Map.entry("location", "/elsewhere")), r.headers());
    }

    @Test
    void bodyMayContainBlankLines() {
        HttpResponseData r = parse("Content-Type: text/plain\n\na\n\nb");
        assertEquals("a\n\nb", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void noHeaderTerminatorIsMalformed() {
        assertThrows(CgiResponse.MalformedException.class, () -> parse("hello world"));
        assertThrows(CgiResponse.MalformedException.class, () -> parse(""));
        assertThrows(CgiResponse.MalformedException.class, () -> parse("Status: abc\n\n"));
        assertThrows(CgiResponse.MalformedException.class, () -> parse("no colon here\n\n"));
    }

    @Test
    void wagiArgvExpandsScriptNameAndArgs() {
        assertEquals(List.of("/hello", "a%20b", "c"), HttpExecutors.argv("${SCRIPT_NAME} ${ARGS}", "/hello", "a%20b&c"));
        assertEquals(List.of("/hello"), HttpExecutors.argv("${SCRIPT_NAME} ${ARGS}", "/hello", ""));
        assertEquals(List.of("run", "--path=/x/y", "a"), HttpExecutors.argv("run --path=${SCRIPT_NAME} ${ARGS}", "/x/y", "a"));
    }

    /** Spin's wagi test: {@code POST /test?abc=def} must see argv {@code ["/test", "abc=def"]}. */
    @Test
    void wagiArgvPassesQueryItemsContainingEquals() {
        assertEquals(List.of("/test", "abc=def"), HttpExecutors.argv("${SCRIPT_NAME} ${ARGS}", "/test", "abc=def"));
        assertEquals(List.of("/test", "x=y", "z"), HttpExecutors.argv("${SCRIPT_NAME} ${ARGS}", "/test", "x=y&&z"));
    }
}
