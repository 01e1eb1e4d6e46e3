package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.MessageStreams;
import dev.spindle.host.MessageSubscriber;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.testing.RedisCluster;
import dev.spindle.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster through a guest: a local cluster of three masters ({@link RedisCluster}), declared
 * in the runtime config under the address guests open, serving the {@code redis-proxy} guest's
 * get/set/incr across slots, key-value stores and the Redis trigger's subscription.
 */
class RedisClusterTest {
    /** The address guests open and allowed_outbound_hosts names; no DNS: it only names the cluster. */
    static final String ADDRESS = "redis://cache.cluster.test:6379";

    static RedisCluster cluster;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final HostLog hostLog = (level, component, message) -> log.add(level + " " + component + ": " + message);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = RedisCluster.launch(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void clean() {
        cluster.nodes().forEach(RedisServer::flushAll);
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    static String runtimeConfig() {
        return "[redis_cluster.cache]\naddress = \"" + ADDRESS + "\"\nseeds = ["
                + cluster.seeds().stream().limit(2).map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + "]\n";
    }

    static RedisClientSettings settings() {
        return RedisClientSettings.create(RedisOptions.defaults())
                .withTopology(RedisTopology.parse(RuntimeConfig.parse(runtimeConfig(), Path.of("runtime-config.toml"))));
    }

    private RedisCapability capability() {
        RedisCapability c = RedisCapability.create(settings());
        toClose.add(c);
        return c;
    }

    private ProxyGuest guest(RedisCapability cap, String... allowed) {
        InstanceBinding binding = cap.bind(new ComponentContext("cluster-user", AllowedHosts.parse(List.of(allowed)), hostLog));
        toClose.add(binding);
        return new ProxyGuest(Engine.INTERPRETER, binding);
    }

    @Test
    void aGuestsGetSetAndIncrAcrossSlotsReachTheNodesThatOwnThem() {
        ProxyGuest g = guest(capability(), ADDRESS);
        int h = g.openOk(ADDRESS);
        Set<Integer> nodesUsed = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String key = "key-" + i;
            g.set(h, key, ("value-" + i).getBytes(UTF_8)).get();
            assertEquals("value-" + i, new String(g.get(h, key).get().orElseThrow(), UTF_8));
            assertEquals(1L, g.incr(h, "counter-" + i).get());
            assertEquals(2L, g.incr(h, "counter-" + i).get());
            RedisServer owner = cluster.nodeFor(key);
            assertEquals("value-" + i, owner.withJedis(j -> j.get(key)), key + " is stored on the node that owns its slot");
            String counter = "counter-" + i;
            assertEquals("2", cluster.nodeFor(counter).withJedis(j -> j.get(counter)));
            nodesUsed.add(cluster.nodes().indexOf(owner));
        }
        assertEquals(Set.of(0, 1, 2), nodesUsed, "30 keys land on all three masters");
        g.resetScratch();
        assertEquals(Optional.empty(), g.get(h, "absent").get());
        assertTrue(log.stream().noneMatch(l -> l.contains("denied")), log.toString());
    }

    @Test
    void multiKeyCommandsAcrossSlotsAreCrossslotErrorValuesAndHashTagsKeepThemTogether() {
        ProxyGuest g = guest(capability(), ADDRESS);
        int h = g.openOk(ADDRESS);
        assertNotEquals(RedisRouter.slot("a".getBytes(UTF_8)), RedisRouter.slot("b".getBytes(UTF_8)));
        g.set(h, "a", "1".getBytes(UTF_8)).get();
        g.set(h, "b", "2".getBytes(UTF_8)).get();
        ProxyGuest.Outcome<Integer> across = g.del(h, "a", "b");
        assertEquals(ProxyGuest.OTHER, across.errKind());
        assertTrue(across.errMessage().startsWith("CROSSSLOT"), across.errMessage());
        assertEquals("1", cluster.nodeFor("a").withJedis(j -> j.get("a")), "nothing was deleted");

        g.set(h, "{user:1}:name", "n".getBytes(UTF_8)).get();
        g.set(h, "{user:1}:mail", "m".getBytes(UTF_8)).get();
        assertEquals(2, g.del(h, "{user:1}:name", "{user:1}:mail", "{user:1}:none").get(), "one hash tag, one slot");
    }

    /** execute's key is not always its first argument: the node's MOVED says where to go, and the command is sent again there. */
    @Test
    void aMovedReplyIsFollowed() {
        ProxyGuest g = guest(capability(), ADDRESS);
        int h = g.openOk(ADDRESS);
        String key = "moved-key";
        for (int i = 0; cluster.nodeFor(key) == cluster.nodeFor("ENCODING"); i++) {
            key = "moved-key-" + i; // a key on another node than the routing guess (the slot of "ENCODING")
        }
        g.set(h, key, "12345".getBytes(UTF_8)).get();
        assertEquals(List.of("bin:int"), g.execute(h, "OBJECT", "ENCODING", key).get());
    }

    @Test
    void allowedOutboundHostsIsCheckedAgainstTheAddressTheGuestOpens() {
        String seed = cluster.seeds().get(0);
        ProxyGuest onlySeed = guest(capability(), seed);
        assertEquals(ProxyGuest.INVALID_ADDRESS, onlySeed.open(ADDRESS).errKind(), "the cluster's name is not allowed");
        assertTrue(log.stream().anyMatch(l -> l.contains("denied redis address \"" + ADDRESS + "\"")), log.toString());
        ProxyGuest onlyCluster = guest(capability(), ADDRESS);
        assertEquals(ProxyGuest.INVALID_ADDRESS, onlyCluster.open(seed).errKind(), "a node's own address is not the cluster's name");
    }

    @Test
    void keyValueStoresOnTheClusterSpreadOverTheMastersAndGetKeysWalksThemAll() {
        String toml = runtimeConfig() + "[key_value_store.default]\ntype = \"redis\"\nurl = \"" + ADDRESS + "\"\n";
        RuntimeConfig rc = RuntimeConfig.parse(toml, Path.of("runtime-config.toml"));
        RedisPools pools = new RedisPools(RedisClientSettings.create(RedisOptions.defaults()).withTopology(RedisTopology.parse(rc)));
        toClose.add(pools);
        KeyValueHandles handles = new KeyValueHandles(new ComponentContext("kv", AllowedHosts.parse(List.of()), hostLog),
                Set.of("default"), KeyValueConfig.parse("shop", rc), pools, RedisOptions.defaults(), new dev.spindle.host.abi.ResourceTable());
        KeyValueStore store = handles.get(handles.open("default")).orElseThrow();
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            store.set("item-" + i, ("v" + i).getBytes(UTF_8));
            written.add("item-" + i);
        }
        assertEquals("v7", new String(store.get("item-7").orElseThrow(), UTF_8));
        assertTrue(store.exists("item-199"));
        store.delete("item-199");
        written.remove("item-199");
        assertEquals(written, new HashSet<>(store.getKeys()));
        for (RedisServer node : cluster.nodes()) {
            assertTrue(node.withJedis(j -> j.dbSize()) > 30, "every master holds part of the store");
        }
    }

    @Test
    void theTriggersSubscriptionOnTheClusterHearsMessagesPublishedOnAnyNode() throws Exception {
        RedisCapability cap = capability();
        CountDownLatch heard = new CountDownLatch(3);
        List<String> messages = Collections.synchronizedList(new ArrayList<>());
        MessageSubscriber.Subscription s = cap.subscribe(ADDRESS, List.of("jobs"), (channel, payload) -> {
            messages.add(new String(payload, UTF_8));
            heard.countDown();
        }, hostLog);
        toClose.add(s);
        s.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!s.subscribed() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(s.subscribed());
        for (RedisServer node : cluster.nodes()) {
            node.withJedis(j -> j.publish("jobs", "from " + node.port()));
        }
        assertTrue(heard.await(10, TimeUnit.SECONDS), messages.toString());
        assertEquals(3, messages.size());
    }

    @Test
    void theStreamsTriggersConsumerOnTheClusterReadsAndAcksOnTheNodeOwningTheStream() {
        RedisCapability cap = capability();
        MessageStreams.StreamConsumer consumer = cap.consumer(ADDRESS, "orders", "workers", "replica-1");
        toClose.add(consumer::close);
        consumer.ensureGroup(); // XGROUP CREATE ... MKSTREAM: the stream now exists on one node
        List<RedisServer> owners = cluster.nodes().stream().filter(n -> ownsAndHas(n, "orders")).toList();
        assertEquals(1, owners.size(), "the stream lives on the node of its slot");
        RedisServer owner = owners.get(0);
        owner.withJedis(j -> j.xadd("orders", redis.clients.jedis.StreamEntryID.NEW_ENTRY, Map.of("payload", "order 1")));
        List<MessageStreams.StreamEntry> entries = consumer.readNew(10, Duration.ofSeconds(1));
        assertEquals(1, entries.size());
        assertEquals("order 1", new String(entries.get(0).fields().get("payload"), UTF_8));
        consumer.ack(entries.get(0).id());
        long pending = owner.withJedis(j -> j.xpending("orders", "workers").getTotal());
        assertEquals(0L, pending);
    }

    /** Whether {@code node} serves {@code key}'s slot and holds it (other nodes answer MOVED). */
    private static boolean ownsAndHas(RedisServer node, String key) {
        try {
            return node.withJedis(j -> j.exists(key));
        } catch (redis.clients.jedis.exceptions.JedisMovedDataException moved) {
            return false;
        }
    }

    @Test
    void declarationMistakesNameTheFileAndLine() {
        ManifestException noSeeds = assertThrows(ManifestException.class, () -> RedisTopology.parse(RuntimeConfig.parse(
                "[redis_cluster.cache]\naddress = \"redis://c:6379\"\n", Path.of("rc.toml"))));
        assertTrue(noSeeds.getMessage().startsWith("rc.toml:1:1: [redis_cluster.cache]: missing seeds"), noSeeds.getMessage());
        ManifestException unknown = assertThrows(ManifestException.class, () -> RedisTopology.parse(RuntimeConfig.parse(
                "[redis_sentinel.s]\naddress = \"redis://c:6379\"\nsentinels = [\"redis://s:26379\"]\nmaster_name = \"m\"\nmaster = 1\n",
                Path.of("rc.toml"))));
        assertTrue(unknown.getMessage().startsWith("rc.toml:5:1: [redis_sentinel.s]: unknown field \"master\""), unknown.getMessage());
        ManifestException twice = assertThrows(ManifestException.class, () -> RedisTopology.parse(RuntimeConfig.parse(
                "[redis_cluster.a]\naddress = \"redis://c:6379\"\nseeds = [\"redis://n:7000\"]\n"
                        + "[redis_sentinel.b]\naddress = \"redis://c:6379\"\nsentinels = [\"redis://s:26379\"]\nmaster_name = \"m\"\n",
                Path.of("rc.toml"))));
        assertTrue(twice.getMessage().contains("address c:6379 is already declared by \"a\""), twice.getMessage());
        ManifestException badUrl = assertThrows(ManifestException.class, () -> RedisTopology.parse(RuntimeConfig.parse(
                "[redis_cluster.a]\naddress = \"redis://c:6379\"\nseeds = [\"http://n:7000\"]\n", Path.of("rc.toml"))));
        assertTrue(badUrl.getMessage().startsWith("rc.toml:3:1: [redis_cluster.a]: seeds entry"), badUrl.getMessage());
    }
}
