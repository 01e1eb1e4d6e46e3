package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The command table the execute policy classifies by is Redis's own: it must say exactly what the
 * test suite's redis-server says about every command (flags and ACL categories), so a server
 * that classifies a command differently fails here instead of silently changing the policy.
 * That comparison needs a server of the table's version ({@link RedisCommandTable#VERSION}, Redis
 * 7: older servers report other flags and no subcommands); on any version, every command the
 * server knows must be in the table, so no command of an older Redis counts as unknown.
 */
@ExtendWith(RedisServerExtension.class)
class RedisCommandTableTest {

    @Test
    void tableMatchesTheServersOwnCommandReply(RedisServer server) {
        RedisServer.assumeVersionAtLeast(7, 0, "the COMMAND reply RedisCommandTable was generated from (" + RedisCommandTable.VERSION
                + "; Redis 6 reports other flags and no subcommands)");
        String version = version(server);
        Map<String, String> live = live(server);
        Map<String, String> table = new TreeMap<>();
        for (String[] row : RedisCommandTable.COMMANDS) {
            table.put(row[0], sorted(row[1]) + " / " + sorted(row[2]));
        }
        List<String> differences = new ArrayList<>();
        for (var e : live.entrySet()) {
            String ours = table.get(e.getKey());
            if (!e.getValue().equals(ours)) {
                differences.add(e.getKey() + ": server says " + e.getValue() + ", table says " + ours);
            }
        }
        for (String name : table.keySet()) {
            if (!live.containsKey(name)) {
                differences.add(name + ": in the table, unknown to the server");
            }
        }
        assertTrue(differences.isEmpty(), "redis-server " + version + " disagrees with RedisCommandTable (generated from "
                + RedisCommandTable.VERSION + "; rerun host-redis/tools/redis-command-table.sh): " + differences);
        assertEquals(RedisCommandTable.COMMANDS.length, live.size());
    }

    /**
     * What a Redis 6.2 server lists that the table lacks on purpose, refused as unknown: {@code HOST:}
     * and {@code POST} are no commands but its guard against cross-protocol scripting (it closes the
     * connection; Redis 7 no longer lists them), {@code STRALGO} was removed in Redis 7.0 ({@code LCS}).
     */
    static final Set<String> OLDER_ONLY = Set.of("HOST:", "POST", "STRALGO");

    @Test
    void everyCommandThisServerKnowsIsInTheTable(RedisServer server) {
        Map<String, String> live = live(server);
        List<String> missing = new ArrayList<>();
        for (String name : live.keySet()) {
            if (Arrays.stream(RedisCommandTable.COMMANDS).noneMatch(c -> c[0].equals(name))
                    && Arrays.stream(RedisCommandTable.LATER).noneMatch(c -> c[0].equals(name))) {
                missing.add(name);
            }
        }
        assertTrue(live.size() > 100, "COMMAND listed " + live.size() + " commands");
        missing.removeAll(OLDER_ONLY);
        assertTrue(missing.isEmpty(), "redis-server " + version(server) + " knows commands RedisCommandTable lacks: " + missing);
    }

    @Test
    void laterCommandsAreUnknownToThisServerAndNeverRepeatTheTable(RedisServer server) {
        for (String[] row : RedisCommandTable.LATER) {
            assertEquals(4, row.length, Arrays.toString(row));
            assertTrue(Arrays.stream(RedisCommandTable.COMMANDS).noneMatch(c -> c[0].equals(row[0])), row[0]);
        }
    }

    private static String version(RedisServer server) {
        return server.withJedis(j -> j.info("server")).lines()
                .filter(l -> l.startsWith("redis_version:")).findFirst().orElseThrow().substring("redis_version:".length()).trim();
    }

    /** The server's COMMAND reply: name (subcommands as CONTAINER|SUB) -> "[flags] / [categories]". */
    private static Map<String, String> live(RedisServer server) {
        Map<String, String> live = new TreeMap<>();
        List<Object> reply = server.withJedis(j -> castList(j.sendCommand(() -> "COMMAND".getBytes(UTF_8))));
        for (Object command : reply) {
            collect(castList(command), live);
        }
        return live;
    }

    /** One COMMAND entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static void collect(List<Object> entry, Map<String, String> out) {
        String name = text(entry.get(0)).toUpperCase();
        String flags = castList(entry.get(2)).stream().map(RedisCommandTableTest::text).collect(Collectors.joining(" "));
        String categories = castList(entry.get(6)).stream().map(RedisCommandTableTest::text).collect(Collectors.joining(" "));
        out.put(name, sorted(flags) + " / " + sorted(categories));
        if (entry.size() > 9) {
            for (Object sub : castList(entry.get(9))) {
                collect(castList(sub), out);
            }
        }
    }

    private static String sorted(String words) {
        return new TreeSet<>(Arrays.stream(words.trim().split(" +")).filter(w -> !w.isEmpty()).toList()).toString();
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, UTF_8) : String.valueOf(o);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }
}
