package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.redis.CommandPolicy.Group;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CommandPolicyTest {

    private static final CommandPolicy DEFAULTS = CommandPolicy.defaults();

    private static List<byte[]> words(String commandLine) {
        return Arrays.stream(commandLine.split(" ")).map(w -> w.getBytes(UTF_8)).collect(Collectors.toList());
    }

    private static Optional<Group> group(CommandPolicy policy, String commandLine) {
        List<byte[]> w = words(commandLine);
        return policy.group(w.get(0), w.subList(1, w.size()));
    }

    private static boolean refused(String commandLine) {
        List<byte[]> w = words(commandLine);
        return DEFAULTS.refusal(w.get(0), w.subList(1, w.size())).isPresent();
    }

    @ParameterizedTest
    @CsvSource({
        "GET k, false",
        "get k, false",
        "MULTI, false",
        "XREAD STREAMS s 0, false",
        "XREAD count 1 block 0 STREAMS s $, true",
        "xreadgroup GROUP g c BLOCK 10 STREAMS s >, true",
        "CLIENT ID, false",
        "client getname, false",
        "CLIENT SETNAME x, true",
        "CLIENT KILL ID 1, true",
        "CLIENT PAUSE 100, true",
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
        "WAITAOF 1 0 0, true",
        "SHUTDOWN, true",
        "CONFIG SET requirepass x, true",
        "DEBUG SLEEP 10, true",
        "REPLICAOF h 1, true",
        // the database is not a permission: SELECT, MOVE and COPY ... DB are allowed
        "SELECT 1, false",
        "select 1, false",
        "MOVE k 2, false",
        "COPY a b DB 3, false",
        // what a command can do, not a list of names: issue 9 item 2
        "MIGRATE 127.0.0.1 6390 k 0 2000 COPY, true",
        "migrate 127.0.0.1 6390 k 0 2000 AUTH pw, true",
        "SLAVEOF 127.0.0.1 6390, true",
        "CLUSTER MEET 127.0.0.1 6390, true",
        "CLUSTER INFO, true",
        "SENTINEL MASTERS, true",
        "FAILOVER, true",
        "FLUSHALL, true",
        "FLUSHDB ASYNC, true",
        "SWAPDB 0 1, true",
        "CONFIG GET requirepass, true",
        "SAVE, true",
        "BGSAVE, true",
        "BGREWRITEAOF, true",
        "ACL WHOAMI, true",
        "ACL SETUSER x on, true",
        "MODULE LOAD /tmp/x.so, true",
        "SCRIPT FLUSH, true",
        "SCRIPT KILL, true",
        "FUNCTION FLUSH, true",
        "FUNCTION KILL, true",
        "SLOWLOG RESET, true",
        "LATENCY RESET, true",
        "MEMORY PURGE, true",
        "MEMORY USAGE k, false",
        "INFO, true",
        "RESTORE k 0 payload, true",
        "KEYS *, false",
        "SORT l, false",
        "EVAL return 0, true",
        "eval_ro return 0, true",
        "EVALSHA abc 0, true",
        "FCALL f 0, true",
        "FUNCTION LOAD code, true",
        "SCRIPT LOAD return, true",
        // unknown names are refused by default
        "NOSUCHCOMMAND x, true",
        "JSON.GET k, true",
        "OBJECT NOSUCHSUB k, true",
    })
    void decides(String commandLine, boolean expectRefused) {
        assertEquals(expectRefused, refused(commandLine), commandLine);
    }

    @ParameterizedTest
    @CsvSource({
        "MIGRATE h 1 k 0 1, OTHER_SERVERS",
        "CLUSTER MEET h 1, OTHER_SERVERS",
        "MONITOR, STREAMS",
        "FLUSHALL, SERVER_WIDE",
        "SCRIPT KILL, SERVER_WIDE",
        "EVAL x 0, SCRIPTING",
        "BLMOVE a b LEFT RIGHT 0, BLOCKING",
        "CLIENT TRACKING on, CONNECTION_STATE",
        "FOO, UNKNOWN",
    })
    void namesTheGroup(String commandLine, Group expected) {
        assertEquals(Optional.of(expected), group(DEFAULTS, commandLine), commandLine);
    }

    @ParameterizedTest
    @CsvSource({
        "EVAL x 0, --redis-allow-scripts",
        "JSON.GET k, --redis-allow-command",
        "BLPOP q 0, blocking",
        "MIGRATE h 1 k 0 1, allowed_outbound_hosts",
        "CLIENT KILL ID 1, CLIENT KILL",
    })
    void explains(String commandLine, String hint) {
        List<byte[]> w = words(commandLine);
        String why = DEFAULTS.refusal(w.get(0), w.subList(1, w.size())).orElseThrow();
        assertTrue(why.contains(hint), why);
        assertTrue(why.startsWith("command "), why);
    }

    @Test
    void nonAsciiAndOverlongNamesAreUnknownNotFoldedIntoKnownOnes() {
        // U+017F (long s) upper-cases to 'S' in Java; the server compares ASCII only.
        assertEquals(Optional.of(Group.UNKNOWN), group(DEFAULTS, "\u017FET k"));
        assertEquals(Optional.of(Group.UNKNOWN), group(DEFAULTS, "G".repeat(100)));
        assertEquals(Optional.of(Group.UNKNOWN), DEFAULTS.group(new byte[0], List.of()));
    }

    @Test
    void scriptingOnlyForTheComponentsTheOperatorNamed() {
        RedisOptions options = RedisOptions.defaults().withScriptingComponents(Set.of("trusted"));
        CommandPolicy trusted = CommandPolicy.forComponent(options, "trusted");
        CommandPolicy other = CommandPolicy.forComponent(options, "other");
        for (String script : List.of("EVAL x 0", "EVALSHA abc 0", "EVAL_RO x 0", "FCALL f 0", "FUNCTION LOAD code", "SCRIPT LOAD x")) {
            assertEquals(Optional.empty(), group(trusted, script), script);
            assertEquals(Optional.of(Group.SCRIPTING), group(other, script), script);
        }
        // Killing or flushing every tenant's scripts stays refused with scripting on.
        for (String serverWide : List.of("SCRIPT KILL", "SCRIPT FLUSH", "FUNCTION KILL", "FUNCTION FLUSH", "SCRIPT DEBUG SYNC")) {
            assertEquals(Optional.of(Group.SERVER_WIDE), group(trusted, serverWide), serverWide);
        }
    }

    @Test
    void operatorAllowedCommandsCoverUnknownNamesOnly() {
        CommandPolicy policy = CommandPolicy.forComponent(
                RedisOptions.defaults().withAllowedCommands(Set.of("json.get", "MIGRATE", "FLUSHALL")), "c");
        assertEquals(Optional.empty(), group(policy, "JSON.GET k $"));
        assertEquals(Optional.of(Group.UNKNOWN), group(policy, "JSON.SET k $ 1"));
        assertEquals(Optional.of(Group.OTHER_SERVERS), group(policy, "MIGRATE h 1 k 0 1"), "a refused group stays refused");
        assertEquals(Optional.of(Group.SERVER_WIDE), group(policy, "FLUSHALL"));
    }

    /** Every command of the table, with the group it falls in. */
    static Stream<String> tableEntries() {
        return Stream.concat(Arrays.stream(RedisCommandTable.COMMANDS), Arrays.stream(RedisCommandTable.LATER)).map(r -> r[0]);
    }

    private static Optional<Group> groupOfEntry(String entry) {
        String[] parts = entry.split("\\|");
        List<byte[]> args = parts.length > 1 ? List.of(parts[1].getBytes(UTF_8)) : List.of();
        return DEFAULTS.group(parts[0].getBytes(UTF_8), args);
    }

    @ParameterizedTest
    @MethodSource("tableEntries")
    void everyCommandRedisCallsAdminDangerousScriptingOrBlockingIsRefused(String entry) {
        CommandPolicy.Command c = CommandPolicy.command(entry).orElseThrow();
        Optional<Group> g = groupOfEntry(entry);
        Set<String> cats = c.categories();
        if (cats.contains("@admin")) {
            assertTrue(g.isPresent(), entry + " is @admin");
        }
        if (cats.contains("@dangerous") && !CommandPolicy.DANGEROUS_BUT_DATA.contains(entry)) {
            assertTrue(g.isPresent(), entry + " is @dangerous");
        }
        if (cats.contains("@scripting") && !entry.contains("|HELP")) {
            assertTrue(g.isPresent(), entry + " is @scripting");
        }
        if ((cats.contains("@blocking") || c.flags().contains("blocking")) && !CommandPolicy.BLOCKING_WITH_OPTION.contains(entry)) {
            assertEquals(Optional.of(Group.BLOCKING), g, entry + " blocks");
        }
        if (cats.contains("@pubsub") && !entry.startsWith("PUBLISH") && !entry.startsWith("SPUBLISH") && !entry.startsWith("PUBSUB")) {
            assertEquals(Optional.of(Group.STREAMS), g, entry + " subscribes");
        }
    }

    @Test
    void plainDataCommandsOfEveryTypeAreAllowed() {
        for (String ok : List.of("SET k v", "HSET h f v", "LPUSH l x", "SADD s x", "ZADD z 1 m", "XADD s * f v", "PFADD h x",
                "SETBIT b 1 1", "GEOADD g 0 0 m", "EXPIRE k 10", "SCAN 0", "TYPE k", "UNLINK k", "PUBLISH ch m",
                "PUBSUB CHANNELS", "OBJECT ENCODING k", "DBSIZE", "TIME", "WATCH k", "EXEC", "PING", "ECHO x",
                "COMMAND COUNT", "HEXPIRE h 10 FIELDS 1 f")) {
            assertEquals(Optional.empty(), group(DEFAULTS, ok), ok);
        }
    }

    @Test
    void scriptCommandsNameWhatKillsThem() {
        assertEquals(Optional.of("SCRIPT"), CommandPolicy.scriptKill("evalsha".getBytes(UTF_8)));
        assertEquals(Optional.of("FUNCTION"), CommandPolicy.scriptKill("FCALL_RO".getBytes(UTF_8)));
        assertFalse(CommandPolicy.scriptKill("GET".getBytes(UTF_8)).isPresent());
    }

    @ParameterizedTest
    @CsvSource({
        "GET k, false",
        "EVAL return 0, true",
        "UNWATCH, false",
        "MULTI, true",
        "exec, true",
        "DISCARD, true",
        "WATCH k, true",
        "SUBSCRIBE ch, true",
        "SELECT 1, false",
        "CLIENT KILL ID 1, true",
        "BLPOP q 0, true",
        "MIGRATE h 1 k 0 1, true",
    })
    void decidesForPipelines(String commandLine, boolean expectRefused) {
        List<byte[]> w = words(commandLine);
        var why = DEFAULTS.pipelineRefusal(w.get(0), w.subList(1, w.size()));
        assertEquals(expectRefused, why.isPresent(), commandLine);
        why.ifPresent(reason -> assertTrue(reason.contains("pipeline"), reason));
    }

    @Test
    void theByteKeyedTableAnswersAsTheStringPathForEveryTableNameInAnyCase() {
        for (CommandPolicy policy : List.of(DEFAULTS, CommandPolicy.forComponent(
                RedisOptions.defaults().withScriptingComponents(Set.of("c")), "c"))) {
            int known = 0;
            for (String[][] rows : List.of(RedisCommandTable.COMMANDS, RedisCommandTable.LATER)) {
                for (String[] row : rows) {
                    String name = row[0];
                    List<byte[]> args = List.of("k".getBytes(UTF_8));
                    for (String spelled : List.of(name, name.toLowerCase(java.util.Locale.ROOT), mixed(name))) {
                        byte[] b = spelled.getBytes(UTF_8);
                        List<byte[]> command = List.of(b, args.get(0));
                        CommandPolicy.Known k = CommandPolicy.known(b);
                        if (k != null) {
                            known++;
                            assertEquals(name, new String(k.upper, UTF_8));
                        }
                        assertEquals(policy.pipelineRefusal(CommandPolicy.asciiUpper(b), b, args), policy.pipelineRefusal(k, command), spelled);
                        assertEquals(CommandPolicy.scriptKill(CommandPolicy.asciiUpper(b)), CommandPolicy.scriptKill(k, b), spelled);
                    }
                }
            }
            assertTrue(known > 600, "most table names answer from the table: " + known);
        }
        assertEquals(null, CommandPolicy.known("GET\u0000".getBytes(UTF_8)));
        assertEquals(null, CommandPolicy.known("GE".getBytes(UTF_8)));
        assertEquals(null, CommandPolicy.known(new byte[0]));
        assertEquals(null, CommandPolicy.known("gEt".replace('E', '\u00c9').getBytes(UTF_8)), "no folding outside ASCII");
    }

    private static String mixed(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(i % 2 == 0 ? Character.toLowerCase(c) : c);
        }
        return b.toString();
    }
}
