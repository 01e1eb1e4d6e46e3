package dev.spindle.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which commands a guest may send through {@code execute}. Everything else goes to the server,
 * whose ACLs stay the operator's tool for restricting data commands; this list only refuses what
 * would break the host's own guarantees (pooled connections in a known state, invocations that
 * end on time) or what no application needs and can take the whole server down.
 *
 * <p>The command name is the first bulk string sent, exactly as the server will see it, compared
 * ASCII-case-insensitively as the server does. A name with spaces (e.g. {@code "CLIENT KILL"}) is
 * one bulk string the server does not know, so it needs no special case.
 */
final class CommandPolicy {
    private CommandPolicy() {}

    /**
     * Connection state. The address (user, password, database) is part of the pool key and was
     * checked once at {@code open}; changing it on a pooled connection would hand the next
     * borrower someone else's identity or database. {@code HELLO} would switch the reply protocol
     * under our reader; {@code QUIT}/{@code RESET} would close or reset a connection the host still
     * tracks. (Guests select a database with the address path, {@code redis://host/2}.)
     */
    private static final Set<String> CONNECTION_STATE = Set.of("AUTH", "HELLO", "SELECT", "RESET", "QUIT");

    /**
     * Modes that turn the connection into a stream of pushed messages: it would never answer the
     * next command, and would hold its connection forever.
     */
    private static final Set<String> STREAMING_MODES = Set.of(
            "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
            "MONITOR", "SYNC", "PSYNC", "REPLCONF");

    /**
     * Blocking commands: they hold the connection (and the invocation) until data arrives, past the
     * invocation timeout, and trip the socket timeout, which breaks the connection. Non-blocking
     * forms exist for each (LPOP, RPOP, LMOVE, LMPOP, ZPOPMIN, ZPOPMAX, ZMPOP, XREAD without BLOCK).
     */
    private static final Set<String> BLOCKING = Set.of(
            "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
            "WAIT", "WAITAOF");

    /** Stream reads block only with a BLOCK option. */
    private static final Set<String> BLOCKING_WITH_OPTION = Set.of("XREAD", "XREADGROUP");

    /**
     * Server administration: affects every client of the server (stops it, reconfigures it,
     * changes users, makes it a replica, loads code into it). No application needs these through a
     * per-request sandbox, and a shared Redis must not be reconfigurable by one component.
     */
    private static final Set<String> SERVER_ADMIN = Set.of(
            "SHUTDOWN", "DEBUG", "CONFIG", "ACL", "MODULE", "REPLICAOF", "SLAVEOF", "FAILOVER", "CLUSTER");

    /**
     * CLIENT is refused except for subcommands that only read this connection's own state. The
     * others change connection state that would leak to the next borrower (SETNAME, REPLY,
     * TRACKING, NO-EVICT, NO-TOUCH, SETINFO), block the server (PAUSE), or reach other clients
     * (KILL, UNBLOCK, LIST).
     */
    private static final Set<String> CLIENT_ALLOWED = Set.of("ID", "INFO", "GETNAME");

    /** Every refused command name and the group it belongs to, for the docs and the error text. */
    static final Map<String, Set<String>> REFUSED = Map.of(
            "connection state", CONNECTION_STATE,
            "pub/sub and replication streams", STREAMING_MODES,
            "blocking", BLOCKING,
            "server administration", SERVER_ADMIN);

    /** Why the command is refused, or empty when it may be sent. */
    static Optional<String> refusal(byte[] name, List<byte[]> args) {
        String n = new String(name, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        for (Map.Entry<String, Set<String>> group : REFUSED.entrySet()) {
            if (group.getValue().contains(n)) {
                String hint = n.equals("SELECT") ? " (put the database in the address: redis://host/N)" : "";
                return Optional.of("command " + n + " is not allowed through execute (" + group.getKey() + ")" + hint);
            }
        }
        if (BLOCKING_WITH_OPTION.contains(n)) {
            for (byte[] a : args) {
                if (asciiUpper(a).equals("BLOCK")) {
                    return Optional.of("command " + n + " with BLOCK is not allowed through execute (blocking)");
                }
            }
        }
        if (n.equals("CLIENT")) {
            String sub = args.isEmpty() ? "" : asciiUpper(args.get(0));
            if (!CLIENT_ALLOWED.contains(sub)) {
                return Optional.of("command CLIENT " + sub + " is not allowed through execute (only CLIENT "
                        + String.join(", ", CLIENT_ALLOWED.stream().sorted().toList()) + ")");
            }
        }
        return Optional.empty();
    }

    private static String asciiUpper(byte[] b) {
        return b.length > 16 ? "" : new String(b, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }
}
