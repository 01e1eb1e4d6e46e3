package dev.spindle.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A local Sentinel deployment of real processes on free loopback ports: one master, one replica
 * ({@code --replicaof}) and three sentinels monitoring them as {@value #MASTER_NAME} with quorum 2,
 * a master declared down after {@link #DOWN_AFTER} without answers. Ready when the replica is in
 * sync and every sentinel knows the replica and the other two sentinels. Close it to kill all five.
 */
public final class RedisSentinelGroup implements AutoCloseable {
  /** The name the sentinels monitor the master by. */
  public static final String MASTER_NAME = "spindle-master";
  /** {@code down-after-milliseconds}: how long a silent master has before the sentinels act. */
  public static final Duration DOWN_AFTER = Duration.ofMillis(1000);
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final RedisServer master;
  private final RedisServer replica;
  private final List<RedisServer> sentinels;

  private RedisSentinelGroup(RedisServer master, RedisServer replica, List<RedisServer> sentinels) {
    this.master = master;
    this.replica = replica;
    this.sentinels = List.copyOf(sentinels);
  }

  /** Starts the five processes and waits until the sentinels agree on the layout. */
  public static RedisSentinelGroup launch() {
    List<RedisServer> started = new ArrayList<>();
    try {
      RedisServer master = RedisServer.launch();
      started.add(master);
      RedisServer replica = RedisServer.launchWith(List.of("--replicaof", RedisServer.HOST, Integer.toString(master.port())));
      started.add(replica);
      List<RedisServer> sentinels = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RedisServer s = RedisServer.launchSentinel(String.join("\n",
            "sentinel monitor " + MASTER_NAME + " " + RedisServer.HOST + " " + master.port() + " 2",
            "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis(),
            "sentinel failover-timeout " + MASTER_NAME + " 10000",
            "sentinel parallel-syncs " + MASTER_NAME + " 1",
            ""));
        started.add(s);
        sentinels.add(s);
      }
      RedisSentinelGroup group = new RedisSentinelGroup(master, replica, sentinels);
      group.awaitReady();
      return group;
    } catch (RuntimeException | Error e) {
      started.forEach(RedisServer::close);
      throw e;
    }
  }

  private void awaitReady() {
    Await.until(() -> replica.withJedis(j -> j.info("replication")).contains("master_link_status:up")
            && sentinels.stream().allMatch(s -> s.withJedis(j ->
                j.sentinelReplicas(MASTER_NAME).size() == 1 && j.sentinelSentinels(MASTER_NAME).size() == 2)),
        READY_TIMEOUT, "the replica syncing and the sentinels seeing it and each other", () -> views().toString());
  }

  /** The server that was master at launch. */
  public RedisServer master() {
    return master;
  }

  /** The server that was the replica at launch. */
  public RedisServer replica() {
    return replica;
  }

  public List<RedisServer> sentinels() {
    return sentinels;
  }

  /** {@code redis://127.0.0.1:PORT} of every sentinel, for a runtime config's {@code sentinels}. */
  public List<String> sentinelUris() {
    return sentinels.stream().map(RedisServer::uri).toList();
  }

  /** The master's port as the first sentinel that answers names it now. */
  public int currentMasterPort() {
    for (RedisServer s : sentinels) {
      if (s.isRunning()) {
        HostAndPort m = s.withJedis(j -> j.sentinelGetMasterAddrByName(MASTER_NAME)).stream().reduce((h, p) -> h + ":" + p)
            .map(HostAndPort::from).orElseThrow();
        return m.getPort();
      }
    }
    throw new IllegalStateException("no sentinel is running");
  }

  /** Master name, for a runtime config's {@code master_name}. */
  public String masterName() {
    return MASTER_NAME;
  }

  /** Every sentinel's view of the master ({@code SENTINEL MASTER}), for failure messages. */
  public List<Map<String, String>> views() {
    return sentinels.stream().filter(RedisServer::isRunning).map(s -> s.withJedis(j -> j.sentinelMaster(MASTER_NAME))).toList();
  }

  @Override
  public void close() {
    sentinels.forEach(RedisServer::close);
    replica.close();
    master.close();
  }
}
