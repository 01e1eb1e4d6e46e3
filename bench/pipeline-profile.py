#!/usr/bin/env python3
"""Where PipelineBench's time goes, per mode, from a JFR recording of bench/pipeline-bench.sh
(JFR=file). Usage: bench/pipeline-profile.py recording.jfr [jfr executable] [--detail]

Java execution samples (jdk.ExecutionSample) of the benchmark thread are split by mode (the
PipelineBench lambda on the stack) and, within a mode, by the innermost frame that names a piece
of the work (socket write, Jedis' command encoding, reply parsing, lifting the guest's commands,
lowering replies, cabi_realloc calls, ...). Every mode runs for the same wall time, so samples per
1,000 operations compare the modes of one recording. Allocation samples (jdk.ObjectAllocationSample,
weighted by the bytes they stand for) are split the same way. JDK 17's sampler sees threads only
while they run Java code (socket waits show up as native samples, left out here).
"""
import collections
import json
import re
import subprocess
import sys

# PipelineBench's modes by the number javac gives their lambdas (lambda$run$0 is the log sink).
MODES = [None, "guest, typed set/get, 1 call per op", "guest, execute, 1 call per op", "guest, pipeline",
         "guest, pipeline, transaction", "plain Jedis, 1 command per op", "plain Jedis, pipeline"]

# (bucket, regular expression over "package/Class.method"), in priority order: a sample goes to the
# first bucket any of its frames matches (the socket and the guest's allocator before Jedis' and
# Spindle's code around them; the guest's own code and the host-call wrapper, on every guest
# stack, last).
BUCKETS = [
    ("socket write (syscall)", r"(write0|socketWrite0|SocketDispatcher\.write|NioSocketImpl\.write)"),
    ("socket read (syscall, wait)", r"(Net\.poll|read0|socketRead0|NioSocketImpl\.(read|park|timedRead))"),
    ("cabi_realloc calls into the guest", r"GuestMemory\.allocate"),
    ("command policy", r"CommandPolicy\."),
    ("encode and send commands (Jedis)", r"(jedis/Connection\.(sendCommand|connect|isConnected)|jedis/Protocol\.sendCommand|RedisOutputStream|jedis/CommandArguments|java/net/Socket\.is)"),
    ("read and parse replies", r"(RawConnection\$ReplyReader|RawConnection\.readWith|jedis/Protocol\.(read|process)|RedisInputStream|jedis/Connection\.(getMany|getOne|readProtocol|protocolRead|flush))"),
    ("Jedis: build commands, responses", r"(jedis/(Pipeline|PipeliningBase|CommandObjects|CommandObject|Response|BuilderFactory|AbstractPipeline))"),
    ("lift commands from guest memory", r"PipelineCommands|abi/(ListType\.(lift|load|liftFlat)|BytesType\.(load|lift)|StringType\.(load|lift)|VariantType\.load|RecordType\.load|ListType\.hostBytes)|GuestMemory\.(read|prepay|charge|checkList)"),
    ("lower replies into guest memory", r"abi/(ListType\.(lower|store|lowerFlat)|BytesType\.store|StringType\.store|VariantType\.store|ResultType\.store|RecordType\.store|AbiContext\.allocateBytes)|GuestMemory\.write"),
    ("host glue (lists, reply objects)", r"dev/spindle/redis/(ExtendedRedisInterface|RedisLowering|RedisConnections|RawConnection)"),
    ("pool borrow/return", r"(JedisPool|jedis/util/Pool|commons/pool2|jedis/Jedis\.close|ConnectionPool)"),
    ("host-call wrapper, ABI dispatch", r"dev/spindle/host/(HostCalls|HostImport|abi/WitInterface|HostMemoryBudget|abi/InstanceScope)"),
    ("guest code (Chicory)", r"com/dylibso/chicory"),
]
COMPILED = [(name, re.compile(rx)) for name, rx in BUCKETS]


def frames_of(event):
    st = event["values"].get("stackTrace")
    if not st:
        return []
    return [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st["frames"]]


def mode_of(frames):
    for f in frames:
        m = re.search(r"PipelineBench\.lambda\$run\$(\d+)", f)
        if m:
            i = int(m.group(1))
            if 0 < i < len(MODES):
                return MODES[i]
    return None


def bucket_of(frames):
    for name, rx in COMPILED:
        for f in frames:
            if rx.search(f):
                return name
    return "other: " + (frames[0] if frames else "?")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    detail = "--detail" in sys.argv
    jfr = args[1] if len(args) > 1 else "jfr"
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "512", "--events",
                          "jdk.ExecutionSample,jdk.ObjectAllocationSample", args[0]],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    cpu = collections.defaultdict(collections.Counter)
    alloc = collections.defaultdict(collections.Counter)
    alloc_class = collections.defaultdict(collections.Counter)
    leaves = collections.defaultdict(collections.Counter)
    for e in events:
        frames = frames_of(e)
        mode = mode_of(frames)
        if mode is None:
            continue
        if e["type"] == "jdk.ExecutionSample":
            b = bucket_of(frames)
            cpu[mode][b] += 1
            leaves[(mode, b)][" < ".join(f.split("/")[-1] for f in frames[:3])] += 1
        else:
            weight = e["values"].get("weight", 0)
            alloc[mode][bucket_of(frames)] += weight
            alloc_class[mode][e["values"]["objectClass"]["name"]] += weight
    for mode in MODES:
        if mode is None or mode not in cpu:
            continue
        total = sum(cpu[mode].values())
        print(f"\n## {mode}: {total} Java samples")
        print(f"| where | samples | share |")
        print(f"|---|---:|---:|")
        for name, n in cpu[mode].most_common():
            print(f"| {name} | {n} | {100.0 * n / total:.1f}% |")
            if detail:
                for leaf, k in leaves[(mode, name)].most_common(6):
                    print(f"|   {leaf} | {k} | |")
        atotal = sum(alloc[mode].values())
        if atotal:
            print(f"\nallocated (sampled, weighted): {atotal / 1e9:.2f} GB; by place:")
            for name, n in alloc[mode].most_common(8):
                print(f"  {100.0 * n / atotal:5.1f}%  {name}")
            print("by class:")
            for name, n in alloc_class[mode].most_common(8):
                print(f"  {100.0 * n / atotal:5.1f}%  {name}")


if __name__ == "__main__":
    main()
