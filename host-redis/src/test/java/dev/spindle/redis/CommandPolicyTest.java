package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandPolicyTest {

    private static boolean refused(String commandLine) {
        List<byte[]> words = Arrays.stream(commandLine.split(" ")).map(w -> w.getBytes(UTF_8)).collect(Collectors.toList());
        return CommandPolicy.refusal(words.get(0), words.subList(1, words.size())).isPresent();
    }

    @ParameterizedTest
    @CsvSource({
        "GET k, false",
        "get k, false",
        "EVAL return 0, false",
        "MULTI, false",
        "XREAD STREAMS s 0, false",
        "XREAD count 1 block 0 STREAMS s $, true",
        "xreadgroup GROUP g c BLOCK 10 STREAMS s >, true",
        "CLIENT ID, false",
        "client getname, false",
        "CLIENT SETNAME x, true",
        "CLIENT KILL ID 1, true",
        "CLIENT PAUSE 100, true",
        "CLIENT, true",
        "SELECT 1, true",
        "select 1, true",
        "HELLO 3, true",
        "AUTH pw, true",
        "RESET, true",
        "QUIT, true",
        "SUBSCRIBE ch, true",
        "ssubscribe ch, true",
        "MONITOR, true",
        "PSYNC ? -1, true",
        "BLPOP q 0, true",
        "bzmpop 0 1 z MIN, true",
        "WAIT 1 0, true",
        "SHUTDOWN, true",
        "CONFIG SET requirepass x, true",
        "DEBUG SLEEP 10, true",
        "REPLICAOF h 1, true",
    })
    void decides(String commandLine, boolean expectRefused) {
        assertEquals(expectRefused, refused(commandLine), commandLine);
    }

    @ParameterizedTest
    @CsvSource({"SELECT 2, redis://host/N", "BLPOP q 0, blocking"})
    void explains(String commandLine, String hint) {
        List<byte[]> words = Arrays.stream(commandLine.split(" ")).map(w -> w.getBytes(UTF_8)).collect(Collectors.toList());
        String why = CommandPolicy.refusal(words.get(0), words.subList(1, words.size())).orElseThrow();
        assertTrue(why.contains(hint), why);
    }

    @ParameterizedTest
    @CsvSource({
        "GET k, false",
        "EVAL return 0, false",
        "UNWATCH, false",
        "MULTI, true",
        "exec, true",
        "DISCARD, true",
        "WATCH k, true",
        "SUBSCRIBE ch, true",
        "SELECT 1, true",
        "CLIENT KILL ID 1, true",
        "BLPOP q 0, true",
    })
    void decidesForPipelines(String commandLine, boolean expectRefused) {
        List<byte[]> words = Arrays.stream(commandLine.split(" ")).map(w -> w.getBytes(UTF_8)).collect(Collectors.toList());
        var why = CommandPolicy.pipelineRefusal(words.get(0), words.subList(1, words.size()));
        assertEquals(expectRefused, why.isPresent(), commandLine);
        why.ifPresent(w -> assertTrue(w.contains("pipeline"), w));
    }
}
