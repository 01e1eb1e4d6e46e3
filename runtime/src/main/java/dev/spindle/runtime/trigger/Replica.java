package dev.spindle.runtime.trigger;

import java.net.InetAddress;

/** This process among the replicas of an app: the name it goes by in Redis (stream consumer, cron lease holder). */
final class Replica {
    private Replica() {}

    /**
     * {@code <host name>-<pid>}: unique per process on a machine and per pod in Kubernetes (whose
     * {@code HOSTNAME} is the pod name), so two replicas never share a stream consumer's pending entries.
     */
    static String name() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "spindle";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
