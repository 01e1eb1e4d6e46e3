"""Slow-client load for bench/slow-clients.sh: holds N connections that each send a request line
and then one header line every INTERVAL seconds (never the blank line that ends the headers),
for HOLD seconds, while a prober GETs a normal route every PROBE_EVERY seconds on fresh
connections and records each probe's latency. Loopback only; every loop is bounded in count and
time. Prints one line: probes, answered, p50/p99/max ms, slow connections still held at the end."""
import asyncio
import sys
import time

host, port = "127.0.0.1", int(sys.argv[1])
path = sys.argv[2]
count, hold, interval, probe_every = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
assert host.startswith("127."), "loopback only"


async def slow(i, held):
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except Exception:
        return
    w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n".encode())
    await w.drain()
    held[i] = True
    end = time.monotonic() + hold
    n = 0
    while time.monotonic() < end and n < 10000:
        await asyncio.sleep(interval)
        try:
            w.write(f"X-Slow-{n}: 1\r\n".encode())
            await w.drain()
        except Exception:
            held[i] = False
            return
        if r.at_eof():
            held[i] = False
            return
        n += 1
    w.close()


async def probe(latencies, failures):
    t0 = time.monotonic()
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await w.drain()
        data = await asyncio.wait_for(r.read(), 10)
        w.close()
        if not data.startswith(b"HTTP/1.1 200"):
            failures.append(data[:40])
            return
        latencies.append((time.monotonic() - t0) * 1000)
    except Exception as e:
        failures.append(repr(e))


async def main():
    held = [False] * count
    slows = []
    for i in range(count):
        slows.append(asyncio.create_task(slow(i, held)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.sleep(min(2.0, hold / 4))
    latencies, failures, probes = [], [], []
    end = time.monotonic() + hold - min(2.0, hold / 4) - interval
    while time.monotonic() < end and len(probes) < 100000:
        probes.append(asyncio.create_task(probe(latencies, failures)))
        await asyncio.sleep(probe_every)
    await asyncio.gather(*probes)
    still = sum(held)
    await asyncio.gather(*slows)
    lat = sorted(latencies)
    pct = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] if lat else float("nan")
    print(f"probes {len(probes)} answered {len(lat)} failed {len(failures)} "
          f"p50_ms {pct(0.5):.1f} p99_ms {pct(0.99):.1f} max_ms {(lat[-1] if lat else float('nan')):.1f} "
          f"slow_held {still}/{count}")


asyncio.run(main())
