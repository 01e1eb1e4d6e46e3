#!/usr/bin/env python3
"""Where a request's Java time goes, inclusively, from a JFR recording of bench/jfr-profile.sh.
Usage: bench/request-profile.py recording.jfr REQUESTS [jfr executable]

`jfr view hot-methods` counts only the top frame of each execution sample, and `jfr print`
keeps 5 frames unless asked for more; this reads every sample of the server's request threads
(spindle-http-*) with its whole stack and prints, for the frames that name a part of a
request's work, the share of samples with that frame anywhere on the stack and the samples
per 1,000 requests (REQUESTS: wrk's count for the recorded window), which compares recordings
of different rates. The recording must come from a JVM started with
-XX:FlightRecorderOptions:stackdepth=512 (JFR keeps 64 frames by default, which cuts a guest
call's stack off below the guest).
"""
import collections
import json
import subprocess
import sys

# (label, frame suffix "Class.method"), outermost first.
PARTS = [
    ("request on the server thread", "HttpTriggerServer$TriggerHandler.handle"),
    ("  executor: request in, guest, response out", "HttpTriggerServer$Exchange.invoke"),
    ("    the invocation (SpindleApp.invoke)", "SpindleApp.invoke"),
    ("      request lowered into guest memory", "RecordType.lowerFlat"),
    ("      guest code (compiled)", "CompiledMachine.call"),
    ("        host calls", "HostCalls.call"),
    ("          capability binding (first call)", "InvocationHost.bind"),
    ("          host function taken from the binding", "InvocationHost.resolve"),
    ("          variables.get", "VariablesCapability.get"),
    ("          redis open", "RedisConnections.open"),
    ("          redis command round trip (Java side)", "RawConnection.call"),
    ("      instance reset (snapshot restore)", "InstanceImage.restore"),
    ("  response written (Jetty)", "HttpTriggerServer$Exchange.end"),
    ("  access log line and metrics", "HttpTriggerServer$Exchange.accessLog"),
    ("route lookup: Route.hashCode", "Router$Route.hashCode"),
    ("library log level checks", "SpindleLogger.isDebugEnabled"),
]


def main():
    recording, requests = sys.argv[1], int(sys.argv[2])
    jfr = sys.argv[3] if len(sys.argv) > 3 else "jfr"
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "1024", "--events", "jdk.ExecutionSample", recording],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    total = 0
    for event in json.loads(out)["recording"]["events"]:
        values = event["values"]
        thread = values["sampledThread"]["javaName"] or ""
        if not thread.startswith("spindle-http-") or not values["stackTrace"]:
            continue
        total += 1
        frames = {f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"]
                  for f in values["stackTrace"]["frames"]}
        for _, suffix in PARTS:
            if suffix in frames:
                counts[suffix] += 1
    print(f"{total} samples of the request threads, {requests} requests: {1000 * total / max(requests, 1):.2f} per 1,000 requests")
    print(f"{'part (frame on the stack)':<50} | {'share':>6} | {'per 1,000 req':>13}")
    for label, suffix in PARTS:
        n = counts[suffix]
        print(f"{label:<50} | {100 * n / max(total, 1):5.1f}% | {1000 * n / max(requests, 1):13.2f}")


if __name__ == "__main__":
    main()
