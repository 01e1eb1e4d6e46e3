package dev.spindle.runtime.trigger;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * P4 of {@code bench/invoke-overhead.sh}: the per-invocation cost of a guest, in one JVM, with a
 * plain harness (no JMH: nothing here needs its forking, and its jar is not on this machine).
 * For each {@code NAME=PATH.wasm} argument it writes a one-component manifest, loads it as
 * {@code spindle run} does, and times, one invocation at a time on one thread:
 * <ul>
 *   <li><b>acquire+release</b>: {@code app.invoke(id, g -> null)}: an instance taken from the
 *       pool and given back (reset from the snapshot), no export called: the floor;
 *   <li><b>empty handler</b>: the same plus the component's HTTP export called with a request its
 *       handler answers at once (POST to a GET-only handler, or a handler that does nothing): the
 *       request lowered, the export run, the response lifted and freed: acquire → call → release.
 *       A guest given as {@code NAME=PATH.wasm@/path} (a wasi:http component, such as a JS one,
 *       which has no inbound-http export) is driven through the embedding entry point instead,
 *       {@code app.http().handle(GET /path)}: its wasi:http request and response resources made,
 *       the handler run (the JS test component's {@code /hello} returns a short text), the body read.
 * </ul>
 * Each row is timed twice: <b>in place</b>, with the loop on one of the app's invocation threads
 * ({@link SpindleApp#invocationThreads}), as the HTTP trigger's server threads run a request, and
 * <b>hand-off</b>, from the harness's main thread, as an embedder calling {@code app.invoke} from a
 * thread of its own does: there each invocation is handed to a worker thread and waited for, two
 * thread wake-ups that the HTTP path does not pay.
 * Prints p50, p90, p99 and mean in microseconds after a warm-up, and the instances built (1 means
 * every invocation reused the pooled instance). Not shipped; compiled by the script against spindle.jar.
 *
 * <p>Usage: {@code InvokeOverhead WARMUP_SECONDS MEASURE_SECONDS NAME=PATH.wasm[@/path]...}
 */
public final class InvokeOverhead {
    public static void main(String[] args) throws Exception {
        double warmup = Double.parseDouble(args[0]);
        double measure = Double.parseDouble(args[1]);
        System.out.printf("%-24s | %-27s | %9s | %9s | %9s | %9s | %10s | %s%n",
                "guest", "what (thread)", "p50 us", "p90 us", "p99 us", "mean us", "calls", "instances built");
        for (String spec : Arrays.asList(args).subList(2, args.length)) {
            String name = spec.substring(0, spec.indexOf('='));
            String source = spec.substring(spec.indexOf('=') + 1);
            Optional<String> wasiPath = source.contains("@/")
                    ? Optional.of(source.substring(source.indexOf("@/") + 1)) : Optional.empty();
            Path wasm = Path.of(wasiPath.isPresent() ? source.substring(0, source.indexOf("@/")) : source).toAbsolutePath();
            Path dir = Files.createTempDirectory("p4-");
            Path manifest = dir.resolve("spin.toml");
            Files.writeString(manifest, """
                    spin_manifest_version = 2
                    [application]
                    name = "p4"
                    [[trigger.http]]
                    route = "/..."
                    component = "guest"
                    [component.guest]
                    source = "%s"
                    """.formatted(wasm.toString().replace("\\", "/")));
            try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().build())) {
                String size = String.format("%s (%,d KB)", name, Files.size(wasm) / 1024);
                if (wasiPath.isPresent()) {
                    timeBoth(app, size, "acquire+release", warmup, measure, () -> app.invoke("guest", g -> null));
                    HttpEntry.Request get = HttpEntry.Request.get(wasiPath.get());
                    int[] status = new int[1];
                    timeBoth(app, size, "wasi:http GET", warmup, measure, () -> status[0] = app.http().handle(get).status());
                    System.out.printf("%-24s | (GET %s answered %d)%n", size, wasiPath.get(), status[0]);
                    continue;
                }
                TriggerExport export = TriggerExport.http(app, "guest");
                // POST (method 1): the C examples answer 405 at once; other guests answer their default page.
                TriggerAbi.Request request = new TriggerAbi.Request(1, "/", List.of(Map.entry("host", "127.0.0.1")), List.of(),
                        Optional.empty());
                timeBoth(app, size, "acquire+release", warmup, measure, () -> app.invoke("guest", g -> null));
                int[] status = new int[1];
                timeBoth(app, size, "empty handler", warmup, measure, () -> status[0] = app.invoke("guest",
                        g -> g.call(export.http(), export.options(), request)).status());
                System.out.printf("%-24s | (handler answered %d)%n", size, status[0]);
            }
        }
    }

    /** Instances the component built so far (package-private in SpindleApp: read reflectively, a harness only). */
    private static int instancesBuilt(SpindleApp app) throws ReflectiveOperationException {
        var m = SpindleApp.class.getDeclaredMethod("componentRuntime", String.class);
        m.setAccessible(true);
        Object runtime = m.invoke(app, "guest");
        var built = runtime.getClass().getMethod("instancesBuilt");
        return (int) built.invoke(runtime);
    }

    /** Times {@code body} in place on an invocation thread, then from this (plain) thread: two rows. */
    private static void timeBoth(SpindleApp app, String guest, String what, double warmup, double measure, Runnable body)
            throws Exception {
        long[][] inPlace = new long[1][];
        Thread t = app.invocationThreads("p4-").newThread(() -> inPlace[0] = time(warmup, measure, body));
        t.start();
        t.join();
        report(guest, what + " (in place)", inPlace[0], instancesBuilt(app));
        report(guest, what + " (hand-off)", time(warmup, measure, body), instancesBuilt(app));
    }

    /** Runs {@code body} for the warm-up, then for the measured time; returns each measured call's nanoseconds. */
    private static long[] time(double warmupSeconds, double measureSeconds, Runnable body) {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < end) {
            body.run();
        }
        long[] samples = new long[1 << 16];
        int n = 0;
        end = System.nanoTime() + (long) (measureSeconds * 1e9);
        long now = System.nanoTime();
        while (now < end) {
            body.run();
            long after = System.nanoTime();
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, n * 2);
            }
            samples[n++] = after - now;
            now = after;
        }
        return Arrays.copyOf(samples, n);
    }

    private static void report(String guest, String what, long[] samples, int built) {
        Arrays.sort(samples);
        double mean = Arrays.stream(samples).average().orElse(0) / 1000.0;
        System.out.printf("%-24s | %-27s | %9.1f | %9.1f | %9.1f | %9.1f | %10d | %d%n", guest, what,
                pct(samples, 0.50), pct(samples, 0.90), pct(samples, 0.99), mean, samples.length, built);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
    }
}
