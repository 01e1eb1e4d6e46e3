package dev.spindle.runtime.trigger;

import java.util.ArrayList;
import java.util.List;

/**
 * Several running triggers one {@link TriggerType} started together (the redis type's channel
 * subscribers and stream consumers). {@link #close()} stops them at once, so each gets the whole
 * grace period rather than what the previous one left.
 */
public record TriggerGroup(List<RunningTrigger> parts) implements RunningTrigger {
    public TriggerGroup {
        parts = List.copyOf(parts);
    }

    @Override
    public String banner() {
        StringBuilder sb = new StringBuilder();
        parts.forEach(p -> sb.append(p.banner()));
        return sb.toString();
    }

    @Override
    public void close() {
        List<Thread> threads = new ArrayList<>();
        for (RunningTrigger p : parts) {
            Thread t = new Thread(p::close, "spindle-shutdown-" + p.getClass().getSimpleName());
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
