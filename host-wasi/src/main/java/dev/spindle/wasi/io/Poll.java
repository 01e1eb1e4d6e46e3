package dev.spindle.wasi.io;

import java.util.List;

/**
 * wasi:io/poll's {@code poll}: waits until at least one of the pollables is ready and returns
 * the indices of every ready one, in list order.
 *
 * <p>The guest's thread does the waiting. When nothing is ready it blocks on the first pollable
 * that is not a timer, with the earliest timer as deadline (so a timeout the guest added is kept),
 * or, with only timers, sleeps until the earliest one.
 */
public final class Poll {
    private Poll() {}

    public static int[] poll(List<Pollable> pollables) {
        if (pollables.isEmpty()) {
            throw new IllegalArgumentException("poll needs at least one pollable");
        }
        while (true) {
            int[] ready = ready(pollables);
            if (ready.length > 0) {
                return ready;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw HostInterruptedException.from(new InterruptedException());
            }
            long deadline = Long.MAX_VALUE;
            Pollable waitOn = null;
            for (Pollable p : pollables) {
                long at = p.readyAt();
                if (at != Long.MAX_VALUE) {
                    deadline = Math.min(deadline, at);
                } else if (waitOn == null) {
                    waitOn = p;
                }
            }
            if (waitOn != null) {
                waitOn.block(deadline);
            } else {
                Pollable.sleepUntil(deadline);
            }
        }
    }

    private static int[] ready(List<Pollable> pollables) {
        int n = 0;
        int[] out = new int[pollables.size()];
        for (int i = 0; i < pollables.size(); i++) {
            if (pollables.get(i).ready()) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
