package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.Tracing;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.RedisUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * One instance's Redis state: the permission check and pooled connections behind
 * {@code connection.open}. The connections themselves are {@link #CONNECTION} resources in the
 * instance's shared {@link ResourceTable}, so every Redis interface bound to the instance (Spin's
 * {@code fermyon:spin/redis} and Spindle's extension) uses the same handles, ids are never reused,
 * and the engine closes them when the invocation ends.
 *
 * <p>At most {@link RedisOptions#maxHandlesPerInstance()} connections are live at once (a
 * guest-visible {@code too-many-connections}, below the table's own bound). Each holds one pooled
 * connection from {@code open} until it is dropped or the instance ends, so MULTI/EXEC and WATCH
 * behave as on a dedicated connection.
 */
final class RedisConnections {

    /** {@code resource connection}: closing one returns its connection to the pool. */
    static final ResourceType<Handle> CONNECTION = ResourceType.of("connection", Handle.class, Handle::release);

    private final ComponentContext component;
    private final RedisPools pools;
    private final RedisOptions options;
    private final CommandPolicy policy;
    private final Optional<InvocationContext> invocation;
    private final ResourceTable resources;
    private final PermittedAddresses permitted;

    RedisConnections(ComponentContext component, RedisPools pools, RedisOptions options, ResourceTable resources) {
        this(component, pools, options, resources, new PermittedAddresses());
    }

    RedisConnections(ComponentContext component, RedisPools pools, RedisOptions options, ResourceTable resources,
                     PermittedAddresses permitted) {
        this.permitted = permitted;
        this.component = component;
        this.pools = pools;
        this.options = options;
        this.resources = resources;
        this.policy = CommandPolicy.forComponent(options, component.componentId());
        // Bound inside an invocation (not at load-time probing): when it times out, the engine
        // runs this from the timeout side, so a read blocked past the deadline returns now.
        this.invocation = InvocationContext.current();
        invocation.ifPresent(i -> i.onCancel(this::abortInFlight));
    }

    /**
     * {@code connection.open}: parse once, check permission, connect. The caller hands the new
     * connection to the guest as an {@code own<connection>}, which inserts it into the table (if
     * the instance ended meanwhile, the table closes it at once).
     *
     * @throws RedisError invalid-address (logged once, with the entry that would allow it),
     *     too-many-connections, or other(...) when the server cannot be reached
     */
    Handle open(String address) {
        RedisAddress parsed = permitted(address);
        if (resources.count(CONNECTION) >= options.maxHandlesPerInstance()) {
            throw RedisError.tooManyConnections(
                    "this instance already holds " + options.maxHandlesPerInstance() + " redis connections");
        }
        RedisPools.Lease lease;
        try {
            // A declared Cluster or Sentinel group: a node of it (any, for now) or its master.
            lease = pools.borrow(pools.router().route(parsed, null), component.componentId());
        } catch (RedisError e) {
            if (e.kind() == RedisError.Kind.TOO_MANY_CONNECTIONS) {
                // The WIT case carries no message, so the reason goes to the log.
                component.log().warn(component.componentId(), "redis open of " + quote(parsed.redacted())
                        + " refused: " + e.getMessage());
            }
            throw e;
        }
        if (resources.isClosed()) {
            pools.discard(lease);
            throw RedisError.other("the instance is shutting down");
        }
        return new Handle(parsed, lease);
    }

    /**
     * Opens {@code address} for one command (Spin 1.x's address-per-call interfaces): the
     * connection sits in the instance's table while the command runs, so the deadline's cancel
     * hook and the end of the invocation reach it, and goes back to its pool afterwards.
     */
    <T> T forOneCall(String address, java.util.function.Function<Handle, T> command) {
        Handle h = open(address);
        int id = resources.insert(CONNECTION, h);
        try {
            return command.apply(h);
        } finally {
            resources.closeIfLive(CONNECTION, id);
        }
    }

    /**
     * The one Redis address parse ({@link RedisUrl#parse}, shared with {@code spindle check} and the
     * Redis trigger), then the allow list. Every refusal is logged once; the line never shows the
     * userinfo or the query.
     */
    private RedisAddress permitted(String address) {
        RedisAddress known = permitted.get(component, address);
        if (known != null) {
            return known;
        }
        RedisUrl url;
        try {
            url = RedisUrl.parse(address);
        } catch (InvalidOutboundUrlException e) {
            // Text without "://" is not an address at all, and might be anything (a password pasted by
            // mistake), so it is not repeated; an address is shown with its userinfo hidden.
            deny(address.contains("://") ? "denied redis address " + e.getMessage()
                    : "denied a redis address that is not a URL (not shown: it may hold credentials): " + e.reason());
            throw RedisError.invalidAddress(e.reason());
        }
        AllowedHosts allowed = component.allowedHosts();
        if (!allowed.allows(url.url())) {
            deny("denied redis address " + quote(url.redacted()) + ": add " + quote(AllowedHosts.suggestedEntry(url.url()))
                    + " to allowed_outbound_hosts of component " + quote(component.componentId()));
            throw RedisError.invalidAddress("address not in allowed_outbound_hosts");
        }
        RedisAddress parsed = RedisAddress.of(url);
        permitted.put(component, address, parsed);
        return parsed;
    }

    /**
     * Addresses a component was allowed to open, as parsed: a guest opens the same address on
     * every request, and parsing it and checking the allow list cost more than the rest of
     * {@code open}. Both are pure functions of the text and the component's fixed allow list, so
     * the answer is kept (per capability, bounded; refusals are never kept, so each is logged).
     */
    static final class PermittedAddresses {
        private static final int MAX = 1024;
        private final java.util.concurrent.ConcurrentHashMap<ComponentContext, java.util.concurrent.ConcurrentHashMap<String, RedisAddress>> byComponent =
                new java.util.concurrent.ConcurrentHashMap<>();

        RedisAddress get(ComponentContext component, String address) {
            var known = byComponent.get(component);
            return known == null ? null : known.get(address);
        }

        void put(ComponentContext component, String address, RedisAddress parsed) {
            var known = byComponent.computeIfAbsent(component, c -> new java.util.concurrent.ConcurrentHashMap<>());
            if (known.size() >= MAX) {
                known.clear(); // a guest inventing addresses gets no cache, not unbounded memory
            }
            known.put(address, parsed);
        }
    }

    /** One log line for a failed call the guest sees only as an opaque error (the legacy interfaces). */
    void logFailure(String message) {
        component.log().warn(component.componentId(), message);
    }

    private void deny(String message) {
        component.log().warn(component.componentId(), message);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /**
     * The timeout side's half of the deadline: closes the socket under every command still in
     * flight, so the invocation thread returns from its read now instead of after the socket
     * timeout. Runs on the thread that cancels the invocation; does no other I/O (idle handles are
     * closed with the instance's resource table when the invocation thread unwinds, which every host call now
     * makes it do).
     */
    void abortInFlight() {
        for (Handle h : resources.live(CONNECTION)) {
            h.abortIfBusy();
        }
    }

    /**
     * A live connection handle: its pooled connection and the command runner over it. For a
     * declared Cluster the handle follows the keys: each command goes to the node serving its key's
     * slot (the handle swaps its pooled connection when that is another node), {@code MOVED} and
     * {@code ASK} are followed, and between {@code MULTI}/{@code WATCH} and {@code EXEC}/
     * {@code DISCARD}/{@code UNWATCH} it stays on its node. For a Sentinel group a {@code READONLY}
     * reply (a demoted master) sends the command again to the master the sentinels now name.
     */
    final class Handle {
        /** The address the guest opened (what allowed_outbound_hosts allowed). */
        private final RedisAddress opened;
        private RedisPools.Lease lease; // swapped only between commands, under this
        private boolean dirty;
        private boolean busy;
        private boolean released;
        private boolean aborted;
        /** Inside MULTI or WATCH on a cluster: no routing until the transaction ends. */
        private boolean pinned;

        private Handle(RedisAddress opened, RedisPools.Lease lease) {
            this.opened = opened;
            this.lease = lease;
        }

        /** Sends one command built by the host (typed operations); its reply, errors included. */
        Reply call(List<byte[]> command) {
            return routed(command, false, Optional.empty());
        }

        /**
         * Runs one command where its key lives, following the deployment's redirects (at most
         * {@link RedisRouter#MAX_REDIRECTS} sends); an address that is not a declared deployment
         * is one plain round trip.
         */
        private Reply routed(List<byte[]> command, boolean guestCommand, Optional<String> scriptKill) {
            RedisRouter router = pools.router();
            byte[] key = RedisRouter.keyOf(command);
            if (!pinned && router.isCluster(opened)) {
                moveTo(router.route(opened, key));
            }
            // One span per call, redirects included: the command's name and the server, never its arguments.
            Tracing.Traced span = RedisTracing.command(policy, command.get(0), lease.address());
            Reply reply;
            try {
                reply = sendFollowingRedirects(router, key, command, guestCommand, scriptKill);
            } catch (RuntimeException e) {
                RedisTracing.failed(span, e);
                throw e;
            }
            RedisTracing.end(span, reply);
            return reply;
        }

        private Reply sendFollowingRedirects(RedisRouter router, byte[] key, List<byte[]> command, boolean guestCommand,
                                             Optional<String> scriptKill) {
            Reply reply = run(c -> c.call(command, options.maxResultBytes()), guestCommand, scriptKill);
            for (int sent = 1; sent < RedisRouter.MAX_REDIRECTS && !pinned; sent++) {
                Optional<RedisRouter.Redirect> redirect = router.redirect(opened, key, reply);
                if (redirect.isEmpty()) {
                    break;
                }
                moveTo(redirect.get().to());
                reply = redirect.get().asking()
                        ? run(c -> c.pipeline(List.of(List.of(RedisLowering.bytes("ASKING")), command), options.maxResultBytes()).get(1),
                                guestCommand, scriptKill)
                        : run(c -> c.call(command, options.maxResultBytes()), guestCommand, scriptKill);
            }
            if (router.isCluster(opened) && !(reply instanceof Reply.Error)) {
                String name = new String(command.get(0), java.nio.charset.StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT);
                if (name.equals("MULTI") || name.equals("WATCH")) {
                    pinned = true;
                } else if (name.equals("EXEC") || name.equals("DISCARD") || name.equals("UNWATCH")) {
                    pinned = false;
                }
            }
            return reply;
        }

        /** Puts the handle on {@code server}'s pool (a cluster node, a new master); no-op when it is there. */
        private void moveTo(RedisAddress server) {
            RedisPools.Lease old;
            synchronized (this) {
                if (released || server.poolKey().equals(lease.address().poolKey())) {
                    return;
                }
                old = lease;
            }
            RedisPools.Lease next = pools.borrow(server, component.componentId());
            boolean wasDirty;
            synchronized (this) {
                if (released) {
                    pools.discard(next);
                    return;
                }
                lease = next;
                wasDirty = dirty;
                dirty = false;
            }
            pools.release(old, wasDirty);
        }

        /**
         * Sends a guest-built command ({@code execute}): refused commands fail without I/O, and the
         * connection is reset before it goes back to the pool.
         */
        Reply execute(List<byte[]> command) {
            policy.refusal(command.get(0), command.subList(1, command.size())).ifPresent(why -> {
                throw RedisError.other(why);
            });
            return routed(command, true, CommandPolicy.scriptKill(command.get(0)));
        }

        /**
         * Sends guest-built commands in one round trip ({@code pipeline}), wrapped in
         * {@code MULTI}/{@code EXEC} when {@code transaction} is set. If any command is refused
         * ({@link CommandPolicy#pipelineRefusal}), nothing is sent. The result cap applies to all
         * replies together; the connection is reset before it goes back to the pool.
         *
         * @return one reply per command sent, in order: with {@code transaction}, the
         *     {@code MULTI} reply first, then each command's {@code QUEUED} (or error), then
         *     {@code EXEC}'s
         */
        List<Reply> pipeline(List<List<byte[]>> commands, boolean transaction) {
            Optional<String> scriptKill = Optional.empty();
            for (int i = 0; i < commands.size(); i++) {
                List<byte[]> command = commands.get(i);
                CommandPolicy.Known known = CommandPolicy.known(command.get(0)); // one look-up for both checks
                Optional<String> why = policy.pipelineRefusal(known, command);
                if (why.isPresent()) {
                    throw RedisError.other("pipeline command " + i + " refused, nothing was sent: " + why.get());
                }
                if (scriptKill.isEmpty()) {
                    scriptKill = CommandPolicy.scriptKill(known, command.get(0));
                }
            }
            List<List<byte[]>> sent = commands;
            if (transaction) {
                sent = new ArrayList<>(commands.size() + 2);
                sent.add(List.of(RedisLowering.bytes("MULTI")));
                sent.addAll(commands);
                sent.add(List.of(RedisLowering.bytes("EXEC")));
            }
            List<List<byte[]>> toSend = sent;
            if (!pinned && pools.router().isCluster(opened)) {
                // One node per round trip: the first command's key picks it; commands on other
                // slots answer MOVED as their reply (keep a pipeline's keys in one {hash tag}).
                moveTo(pools.router().route(opened, RedisRouter.keyOf(commands.get(0))));
            }
            Tracing.Traced span = RedisTracing.pipeline(transaction, commands.size(), lease.address());
            List<Reply> replies;
            try {
                replies = run(c -> c.pipeline(toSend, options.maxResultBytes()), true, scriptKill);
            } catch (RuntimeException e) {
                RedisTracing.failed(span, e);
                throw e;
            }
            RedisTracing.end(span, replies);
            return replies;
        }

        /**
         * Runs one round trip on the connection. {@code scriptKill} names what ends a script the
         * command runs ({@code SCRIPT} or {@code FUNCTION}): if its reply never comes (the socket
         * timeout, or the invocation's deadline closed the socket), the script may still be running
         * inside the server, freezing it for every client, so the host sends that {@code KILL}.
         */
        private <T> T run(java.util.function.Function<RawConnection, T> io, boolean guestCommand, Optional<String> scriptKill) {
            synchronized (this) {
                if (released) {
                    throw RedisError.other("the connection was closed");
                }
                busy = true;
                dirty |= guestCommand;
            }
            try {
                // After busy is set: either abortInFlight sees this command, or we see the cancel.
                if (invocation.isPresent() && invocation.get().isCancelled()) {
                    throw invocation.get().timedOut();
                }
                return io.apply(lease.connection());
            } catch (RawConnection.ResultTooLargeException e) {
                throw RedisError.other("result exceeds limit of " + options.maxResultBytes() + " bytes");
            } catch (JedisConnectionException e) {
                boolean cutOff;
                synchronized (this) {
                    cutOff = aborted;
                }
                scriptKill.ifPresent(kill -> pools.killScript(lease.address(), kill, component));
                if (cutOff) {
                    // Our own timeout closed the socket: the server is fine, keep its pool.
                    if (invocation.isPresent()) {
                        throw invocation.get().timedOut();
                    }
                    throw RedisError.other("the redis command was cut off");
                }
                pools.connectionFailed(lease);
                pools.router().failed(opened); // a failover or a node gone: ask the sentinels or seeds again
                throw RedisError.other("redis connection to " + lease.address().redacted() + " failed: " + RedisPools.describe(e));
            } finally {
                boolean releaseNow;
                synchronized (this) {
                    busy = false;
                    releaseNow = released;
                }
                if (releaseNow) {
                    pools.release(lease, true);
                }
            }
        }

        /** Breaks the socket of a command in flight (the reading thread hands the connection back). */
        private void abortIfBusy() {
            synchronized (this) {
                if (!busy || released) {
                    return;
                }
                aborted = true;
            }
            lease.connection().setBroken();
            lease.connection().disconnect();
        }

        /** Returns the connection to its pool; a command in flight on another thread is cut off. */
        void release() {
            boolean inFlight;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                inFlight = busy;
            }
            if (inFlight) {
                // Another thread is reading a reply: break the socket so it returns now; it
                // hands the (broken) connection back when it unwinds.
                lease.connection().setBroken();
                lease.connection().disconnect();
            } else {
                pools.release(lease, dirty);
            }
        }
    }
}
