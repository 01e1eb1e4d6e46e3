package dev.spindle.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which commands a guest may send through {@code execute} and {@code pipeline}, decided from what
 * each command can do: its flags and ACL categories in Redis's own command table
 * ({@link RedisCommandTable}), with a few names Redis does not classify the way a shared sandbox
 * needs. Each refused {@link Group} has one reason; {@code docs/redis.md} shows the same table.
 *
 * <p>Deny by default: a name the table does not know (a module's command, a newer server's
 * command, a typo) is refused, because nothing says what it does. An operator can allow such
 * names ({@link RedisOptions#allowedCommands()}); that never re-enables a refused group.
 * Scripting is the one group an operator can re-enable, per component
 * ({@link RedisOptions#scriptingComponents()}), never the manifest.
 *
 * <p>The database number is not a permission (the address's {@code /N} picks any database, and
 * {@code allowed_outbound_hosts} has no notion of one), so {@code SELECT}, {@code MOVE} and
 * {@code COPY ... DB} are allowed; a pooled connection is reset to its address's database when
 * it is returned.
 *
 * <p>Names are matched as the server matches them: ASCII-case-insensitively, the first bulk string
 * being the command and, for container commands ({@code CLIENT}, {@code OBJECT}, ...), the second
 * its subcommand.
 */
final class CommandPolicy {

    /** The groups of refused commands, in the order they are tested; each with its one reason. */
    enum Group {
        OTHER_SERVERS("reaches another server",
                "the allowed server would itself connect to a server that allowed_outbound_hosts never checked"
                        + " (MIGRATE writes into it and turns AUTH failures into a password oracle and a port scanner)"),
        STREAMS("pub/sub, monitoring and replication streams",
                "the connection turns into a stream of pushed messages that never answers the next command and"
                        + " holds its connection for good (the Redis trigger receives messages)"),
        SERVER_WIDE("server-wide state and every tenant's data",
                "it reconfigures, stops, inspects or empties a server that every tenant shares (Redis's own @admin"
                        + " and @dangerous categories); one component must not do that to the others"),
        SCRIPTING("scripting",
                "a script runs any command, refused ones included, inside the server where the host cannot check"
                        + " it, and can run until someone sends SCRIPT KILL, freezing the server for every client"),
        BLOCKING("blocking",
                "it holds the connection and the invocation until data arrives, past the invocation's deadline;"
                        + " each has a non-blocking form"),
        CONNECTION_STATE("connection state",
                "a connection's identity and reply protocol come from its address, checked at open; changing them"
                        + " would hand the next borrower of the pooled connection someone else's identity or a reply"
                        + " format the host cannot read"),
        TRANSACTION_CONTROL("transaction control in a pipeline",
                "set transaction = true to run the whole pipeline in MULTI/EXEC; a MULTI or WATCH in the list"
                        + " would outlive it and EXEC/DISCARD would end the host's own transaction"),
        UNKNOWN("unknown command",
                "Spindle's command table does not know what it does (a module's or a newer server's command, or a"
                        + " typo), so it cannot tell whether it is safe");

        final String label;
        final String reason;

        Group(String label, String reason) {
            this.label = label;
            this.reason = reason;
        }
    }

    // ---- what Redis's categories do not say, by name ----

    /** Commands (any subcommand) that make the server talk to other servers or the cluster. */
    static final Set<String> OTHER_SERVER_COMMANDS = Set.of("MIGRATE", "REPLICAOF", "SLAVEOF", "FAILOVER", "CLUSTER", "SENTINEL");

    /** Subscriptions and the monitoring and replication streams. */
    static final Set<String> STREAM_COMMANDS = Set.of(
            "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
            "MONITOR", "SYNC", "PSYNC", "REPLCONF");

    /**
     * Server-wide beyond @admin/@dangerous: containers whose every subcommand (HELP included) is
     * administration, and subcommands that act on every client, script or allocation of the server.
     * {@code SCRIPT DEBUG SYNC} blocks the server while a debugger is attached.
     */
    static final Set<String> SERVER_WIDE_COMMANDS = Set.of(
            "ACL", "CONFIG", "DEBUG", "LATENCY", "MODULE", "SHUTDOWN", "SLOWLOG",
            "SCRIPT|FLUSH", "SCRIPT|KILL", "SCRIPT|DEBUG", "FUNCTION|FLUSH", "FUNCTION|KILL",
            "MEMORY|PURGE", "MEMORY|DOCTOR", "MEMORY|STATS", "MEMORY|MALLOC-STATS");

    /**
     * In Redis's @dangerous category only for their cost or for reaching keys by pattern, which
     * matters for key-pattern ACLs, not here (the database is not a permission): allowed.
     */
    static final Set<String> DANGEROUS_BUT_DATA = Set.of("KEYS", "SORT", "SORT_RO");

    /** Blocks without carrying Redis's blocking flag in 7.0 ({@code WAIT numreplicas 0} waits forever). */
    static final Set<String> BLOCKING_COMMANDS = Set.of("WAIT");

    /** Stream reads carry the blocking flag but block only with a BLOCK option; without it they are allowed. */
    static final Set<String> BLOCKING_WITH_OPTION = Set.of("XREAD", "XREADGROUP");

    /**
     * @connection commands that only read this connection's own state, or that the pool undoes
     * ({@code SELECT}: the database is not a permission, and a returned connection is reset to
     * its address's database).
     */
    static final Set<String> CONNECTION_READS = Set.of(
            "PING", "ECHO", "SELECT", "COMMAND",
            "CLIENT|ID", "CLIENT|INFO", "CLIENT|GETNAME", "CLIENT|GETREDIR", "CLIENT|TRACKINGINFO", "CLIENT|HELP");

    /** Commands whose reply can take as long as a guest's script runs, and what ends them. */
    private static final Map<String, String> SCRIPT_KILLS = Map.of(
            "EVAL", "SCRIPT", "EVALSHA", "SCRIPT", "EVAL_RO", "SCRIPT", "EVALSHA_RO", "SCRIPT",
            "FCALL", "FUNCTION", "FCALL_RO", "FUNCTION");

    /** Transaction control refused inside a pipeline (UNWATCH is harmless there). */
    static final Set<String> TRANSACTION_CONTROL = Set.of("MULTI", "EXEC", "DISCARD", "WATCH");

    /** Longest command or subcommand name Redis has (GET-MASTER-ADDR-BY-NAME is 23); longer is unknown. */
    private static final int MAX_NAME_BYTES = 64;

    /** A command or subcommand of the table. */
    record Command(String name, Set<String> flags, Set<String> categories) {}

    /** Every command and subcommand by name ({@code CLIENT|KILL}), and the containers. */
    private static final Map<String, Command> TABLE = new HashMap<>();
    private static final Set<String> CONTAINERS = new HashSet<>();

    static {
        for (String[][] rows : List.of(RedisCommandTable.COMMANDS, RedisCommandTable.LATER)) {
            for (String[] row : rows) {
                TABLE.put(row[0], new Command(row[0], words(row[1]), words(row[2])));
                int bar = row[0].indexOf('|');
                if (bar > 0) {
                    CONTAINERS.add(row[0].substring(0, bar));
                }
            }
        }
    }

    /**
     * The answer of {@link #group} for every known command whose answer does not depend on its
     * arguments (no subcommand, no option to look for), with scripting refused and allowed: a
     * pipeline checks every command it sends, and walking the table per command cost more than
     * the rest of sending it. Names not in the table (and so {@code --redis-allow-command}) take
     * the full path.
     */
    private static final Map<String, Optional<Group>> BY_NAME_NO_SCRIPTS = byName(false);
    private static final Map<String, Optional<Group>> BY_NAME_SCRIPTS = byName(true);

    private static Map<String, Optional<Group>> byName(boolean scripting) {
        CommandPolicy policy = new CommandPolicy(scripting, Set.of(), Map.of());
        Map<String, Optional<Group>> out = new java.util.HashMap<>();
        for (String name : TABLE.keySet()) {
            if (name.indexOf('|') < 0 && !CONTAINERS.contains(name) && !BLOCKING_WITH_OPTION.contains(name)) {
                out.put(name, policy.group(name, List.of()));
            }
        }
        return Map.copyOf(out);
    }

    /**
     * The by-name answers again, looked up from the name's bytes as the guest sent them (folded to
     * ASCII upper case while hashing and comparing, as {@link #asciiUpper} folds them): a pipeline
     * checks every command, and making an upper-case {@code String} per command to look it up cost
     * more than the rest of the check. Names not here take the {@code String} path.
     */
    static final class Known {
        final byte[] upper;
        final int hash;
        /** {@link #group}'s answer, without and with scripting (execute). */
        final Optional<Group> execute;
        final Optional<Group> executeScripting;
        /** The same for one command of a pipeline: transaction control refused first. */
        final Optional<Group> pipeline;
        final Optional<Group> pipelineScripting;
        final Optional<String> scriptKill;

        private Known(String name) {
            this.upper = name.getBytes(StandardCharsets.ISO_8859_1);
            this.hash = foldedHash(upper);
            this.execute = BY_NAME_NO_SCRIPTS.get(name);
            this.executeScripting = BY_NAME_SCRIPTS.get(name);
            Optional<Group> transaction = TRANSACTION_CONTROL.contains(name) ? Optional.of(Group.TRANSACTION_CONTROL) : null;
            this.pipeline = transaction != null ? transaction : execute;
            this.pipelineScripting = transaction != null ? transaction : executeScripting;
            this.scriptKill = Optional.ofNullable(SCRIPT_KILLS.get(name));
        }
    }

    private static final Known[] KNOWN = knownTable();
    private static final int KNOWN_MASK = KNOWN.length - 1;

    private static Known[] knownTable() {
        int size = Integer.highestOneBit(BY_NAME_NO_SCRIPTS.size() * 4 - 1) << 1; // at most a quarter full
        Known[] slots = new Known[size];
        for (String name : BY_NAME_NO_SCRIPTS.keySet()) {
            Known k = new Known(name);
            int i = spread(k.hash) & (size - 1);
            while (slots[i] != null) {
                i = (i + 1) & (size - 1);
            }
            slots[i] = k;
        }
        return slots;
    }

    /** The by-name entry for {@code name} (any ASCII case), or null when the answer needs the full path. */
    static Known known(byte[] name) {
        if (name.length == 0 || name.length > MAX_NAME_BYTES) {
            return null;
        }
        int h = foldedHash(name);
        for (int i = spread(h) & KNOWN_MASK; ; i = (i + 1) & KNOWN_MASK) {
            Known k = KNOWN[i];
            if (k == null) {
                return null;
            }
            if (k.hash == h && foldedEquals(k.upper, name)) {
                return k;
            }
        }
    }

    private static int foldedHash(byte[] b) {
        int h = 0;
        for (byte c : b) {
            h = 31 * h + upper(c);
        }
        return h;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private static boolean foldedEquals(byte[] upper, byte[] name) {
        if (upper.length != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (upper(name[i]) != upper[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte upper(byte c) {
        return c >= 'a' && c <= 'z' ? (byte) (c - 32) : c;
    }

    private final boolean scripting;
    private final Set<String> allowed;
    private final Map<String, Optional<Group>> byName;

    private CommandPolicy(boolean scripting, Set<String> allowed) {
        this(scripting, allowed, scripting ? BY_NAME_SCRIPTS : BY_NAME_NO_SCRIPTS);
    }

    private CommandPolicy(boolean scripting, Set<String> allowed, Map<String, Optional<Group>> byName) {
        this.scripting = scripting;
        this.allowed = allowed;
        this.byName = byName;
    }

    /** The defaults: scripting refused, no extra commands. */
    static CommandPolicy defaults() {
        return new CommandPolicy(false, Set.of());
    }

    /** The policy for one component: scripting only when the operator enabled it for this component. */
    static CommandPolicy forComponent(RedisOptions options, String componentId) {
        return new CommandPolicy(options.scriptingComponents().contains(componentId), options.allowedCommands());
    }

    /** The table entry for a name ({@code GET}, {@code CLIENT|KILL}), for tests and docs. */
    static Optional<Command> command(String name) {
        return Optional.ofNullable(TABLE.get(name));
    }

    /** True for a command name (upper case) of the table, or one the operator allowed: a name a trace may carry. */
    boolean knows(String upperName) {
        return TABLE.containsKey(upperName) || allowed.contains(upperName);
    }

    /** Why the command is refused through {@code execute}, or empty when it may be sent. */
    Optional<String> refusal(byte[] name, List<byte[]> args) {
        return group(name, args).map(g -> message(g, name, args, "execute"));
    }

    /** Why the command is refused as one command of a {@code pipeline}: as for execute, plus transaction control. */
    Optional<String> pipelineRefusal(byte[] name, List<byte[]> args) {
        List<byte[]> command = new java.util.ArrayList<>(args.size() + 1);
        command.add(name);
        command.addAll(args);
        return pipelineRefusal(known(name), command);
    }

    /**
     * {@link #pipelineRefusal(byte[], List)} of a whole command (name first) whose {@link #known}
     * entry the caller looked up (null: none), so that one look-up serves this and {@link #scriptKill(Known, byte[])}.
     */
    Optional<String> pipelineRefusal(Known k, List<byte[]> command) {
        byte[] name = command.get(0);
        if (k != null) {
            Optional<Group> g = scripting ? k.pipelineScripting : k.pipeline;
            return g.isEmpty() ? Optional.empty() : Optional.of(message(g.get(), name, command.subList(1, command.size()), "a pipeline"));
        }
        return pipelineRefusal(asciiUpper(name), name, command.subList(1, command.size()));
    }

    /** {@link #scriptKill(byte[])} with the name's {@link #known} entry already looked up (null: none). */
    static Optional<String> scriptKill(Known k, byte[] name) {
        return k != null ? k.scriptKill : scriptKill(asciiUpper(name));
    }

    /** {@link #pipelineRefusal(byte[], List)} with the name's {@link #asciiUpper} already made. */
    Optional<String> pipelineRefusal(String n, byte[] name, List<byte[]> args) {
        Optional<Group> g = TRANSACTION_CONTROL.contains(n) ? Optional.of(Group.TRANSACTION_CONTROL) : group(n, args);
        return g.map(group -> message(group, name, args, "a pipeline"));
    }

    /**
     * {@code SCRIPT} or {@code FUNCTION} when the command runs a script (whose {@code KILL} ends
     * it); empty for every other command.
     */
    static Optional<String> scriptKill(byte[] name) {
        Known k = known(name);
        return k != null ? k.scriptKill : scriptKill(asciiUpper(name));
    }

    /** {@link #scriptKill(byte[])} of a name already in upper case. */
    static Optional<String> scriptKill(String upperName) {
        return Optional.ofNullable(SCRIPT_KILLS.get(upperName));
    }

    /** The refused group the command belongs to, or empty when it may be sent. */
    Optional<Group> group(byte[] name, List<byte[]> args) {
        Known k = known(name);
        if (k != null) {
            return scripting ? k.executeScripting : k.execute;
        }
        return group(asciiUpper(name), args);
    }

    /** {@link #group} of a name already in upper case. */
    private Optional<Group> group(String n, List<byte[]> args) {
        Optional<Group> known = byName.get(n);
        if (known != null) {
            return known;
        }
        Command top = TABLE.get(n);
        if (top == null) {
            return allowed.contains(n) ? Optional.empty() : Optional.of(Group.UNKNOWN);
        }
        Command c = top;
        String key = n;
        if (CONTAINERS.contains(n) && !args.isEmpty()) {
            key = n + "|" + asciiUpper(args.get(0));
            c = TABLE.get(key);
        }
        if (OTHER_SERVER_COMMANDS.contains(n)) {
            return Optional.of(Group.OTHER_SERVERS);
        }
        if (STREAM_COMMANDS.contains(n)) {
            return Optional.of(Group.STREAMS);
        }
        if (SERVER_WIDE_COMMANDS.contains(n) || SERVER_WIDE_COMMANDS.contains(key)) {
            return Optional.of(Group.SERVER_WIDE);
        }
        if (c == null) {
            return Optional.of(Group.UNKNOWN); // a subcommand the table does not know
        }
        Set<String> categories = c.categories();
        if (categories.contains("@admin") || (categories.contains("@dangerous") && !DANGEROUS_BUT_DATA.contains(key))) {
            return Optional.of(Group.SERVER_WIDE);
        }
        if (categories.contains("@scripting") || top.categories().contains("@scripting")) {
            return scripting ? Optional.empty() : Optional.of(Group.SCRIPTING);
        }
        if (BLOCKING_WITH_OPTION.contains(key)) {
            return hasOption(args, "BLOCK") ? Optional.of(Group.BLOCKING) : Optional.empty();
        }
        if (BLOCKING_COMMANDS.contains(key) || categories.contains("@blocking") || c.flags().contains("blocking")) {
            return Optional.of(Group.BLOCKING);
        }
        if (categories.contains("@connection") && !CONNECTION_READS.contains(key) && !CONNECTION_READS.contains(n)) {
            return Optional.of(Group.CONNECTION_STATE);
        }
        return Optional.empty();
    }

    private String message(Group g, byte[] name, List<byte[]> args, String via) {
        String n = asciiUpper(name);
        String shown = n.isEmpty() ? "(empty name)" : n;
        if (CONTAINERS.contains(n) && !args.isEmpty() && g != Group.UNKNOWN) {
            shown = n + " " + asciiUpper(args.get(0));
        }
        String hint = switch (g) {
            case SCRIPTING -> " (only an operator can allow scripts, per component: spindle run --redis-allow-scripts"
                    + " COMPONENT; the Redis server must then be protected with an ACL)";
            case UNKNOWN -> " (an operator can allow a command Spindle does not know: spindle run --redis-allow-command NAME)";
            default -> "";
        };
        return "command " + shown + " is not allowed through " + via + " (" + g.label + ": " + g.reason + ")" + hint;
    }

    private static boolean hasOption(List<byte[]> args, String option) {
        for (byte[] a : args) {
            if (asciiUpper(a).equals(option)) {
                return true;
            }
        }
        return false;
    }

    /**
     * ASCII upper case, as the server compares names (strcasecmp): bytes outside a-z are kept, so a
     * non-ASCII name stays unknown instead of folding into a known one. Names longer than any
     * Redis has become "" (unknown).
     */
    static String asciiUpper(byte[] b) {
        if (b.length > MAX_NAME_BYTES) {
            return "";
        }
        int i = 0;
        while (i < b.length && !(b[i] >= 'a' && b[i] <= 'z')) {
            i++;
        }
        if (i == b.length) {
            return new String(b, StandardCharsets.ISO_8859_1); // already upper case: one copy, not two
        }
        byte[] up = b.clone();
        for (; i < up.length; i++) {
            if (up[i] >= 'a' && up[i] <= 'z') {
                up[i] -= 32;
            }
        }
        return new String(up, StandardCharsets.ISO_8859_1);
    }

    private static Set<String> words(String s) {
        return s.isBlank() ? Set.of() : Set.of(s.trim().split(" +"));
    }
}
