package dev.spindle.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.Jedis;

/**
 * A local Redis Cluster of real {@code redis-server} processes on free loopback ports, masters
 * only ({@code --cluster-enabled yes}), the 16384 slots split evenly in port order, built with
 * {@code CLUSTER ADDSLOTS} (not Redis 7's {@code ADDSLOTSRANGE}: the bundled Redis 6.2 runs these
 * too) and {@code CLUSTER MEET} (no {@code redis-cli}). Ready when every
 * node reports {@code cluster_state:ok} and knows them all. Close it to kill them all.
 */
public final class RedisCluster implements AutoCloseable {
  /** How long the nodes may take to agree (gossip on a loaded CI box). */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /** Starts {@code masters} nodes and forms the cluster; waits until it is ok. */
  public static RedisCluster launch(int masters) {
    if (masters < 1) {
      throw new IllegalArgumentException("masters must be at least 1");
    }
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServer.launchWith(List.of(
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000",
            "--cluster-require-full-coverage", "yes")));
      }
      int per = 16384 / masters;
      for (int i = 0; i < masters; i++) {
        int from = i * per;
        int to = i == masters - 1 ? 16383 : from + per - 1;
        int[] slots = java.util.stream.IntStream.rangeClosed(from, to).toArray();
        nodes.get(i).withJedis(j -> j.clusterAddSlots(slots));
      }
      RedisServer first = nodes.get(0);
      for (int i = 1; i < masters; i++) {
        nodes.get(i).withJedis(j -> j.clusterMeet(RedisServer.HOST, first.port()));
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.awaitReady();
      return cluster;
    } catch (RuntimeException | Error e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private void awaitReady() {
    Await.until(() -> nodes.stream().map(n -> n.withJedis(Jedis::clusterInfo)).allMatch(info ->
            info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + nodes.size() + "\r")),
        READY_TIMEOUT, "the redis cluster becoming ok", () -> nodes.get(0).withJedis(Jedis::clusterInfo));
  }

  /** The nodes, in port-assignment order (node i serves the i-th share of the slots). */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** {@code redis://127.0.0.1:PORT} of every node, for a runtime config's {@code seeds}. */
  public List<String> seeds() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  /** The node that holds {@code key} now ({@code CLUSTER KEYSLOT} and the slot split). */
  public RedisServer nodeFor(String key) {
    Objects.requireNonNull(key, "key");
    long slot = nodes.get(0).withJedis(j -> j.clusterKeySlot(key));
    int per = 16384 / nodes.size();
    return nodes.get((int) Math.min(nodes.size() - 1, slot / per));
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
