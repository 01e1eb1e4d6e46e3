package dev.spindle.host;

/**
 * Which replica runs a scheduled tick when several replicas of an app run the same schedule: the
 * first to take the tick's lease. Implemented by the Redis capability when the runtime
 * configuration has a {@code [cron_lease]} table ({@code SET key holder NX PX ttl}); without
 * one, {@link #configured()} is false and every process runs every tick, as a single replica does.
 */
public interface TickLeases {

    /** True when ticks are shared through leases; false: run every tick here. */
    boolean configured();

    /** Where the leases live, credentials hidden (for the log). */
    String describe();

    /**
     * Takes the lease {@code key} for {@code holder}, unless someone has it.
     *
     * @return true when this call took it (this replica runs the tick)
     * @throws RuntimeException one line, credentials hidden, when the lease store cannot be reached
     */
    boolean acquire(String key, String holder);
}
