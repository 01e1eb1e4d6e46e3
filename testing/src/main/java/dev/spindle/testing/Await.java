package dev.spindle.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition every 100 ms until it holds, for the multi-process fixtures (cluster, sentinels). */
final class Await {
  private Await() {}

  /**
   * @param what names the wait in the failure message
   * @param state what the failure message adds (the fixture's view at the deadline)
   * @throws IllegalStateException when {@code condition} does not hold within {@code timeout}
   */
  static void until(BooleanSupplier condition, Duration timeout, String what, Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not happen within " + timeout.toSeconds() + " s: " + state.get());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting: " + what, e);
      }
    }
  }
}
