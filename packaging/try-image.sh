#!/usr/bin/env bash
# Runs cli/target/spindle-image.tar without a container engine, to check it: unpacks its layers
# into a directory and starts the image's entrypoint there with chroot, as the image's user
# (10001) and environment, serving examples/hello-redis copied to /app, against a redis-server
# started for it; then GETs / twice. Needs root (chroot, mounting /proc) and redis-server.
# Usage: packaging/try-image.sh [IMAGE_TAR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:-$root/cli/target/spindle-image.tar}"
work="$(mktemp -d)"
cleanup() {
  [[ -n "${app_pid:-}" ]] && kill "$app_pid" 2>/dev/null || true
  [[ -n "${redis_pid:-}" ]] && kill "$redis_pid" 2>/dev/null || true
  sleep 1
  mountpoint -q "$work/rootfs/proc" && umount "$work/rootfs/proc"
  rm -rf "$work"
}
trap cleanup EXIT

tar xf "$image" -C "$work"
mkdir -p "$work/rootfs"
for layer in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))[0]['Layers']))" "$work/manifest.json"); do
  tar xzf "$work/$layer" -C "$work/rootfs" 2>/dev/null
done
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['config']; print('image config:', {k: c.get(k) for k in ('User','Entrypoint','Cmd','WorkingDir','Env')})" "$work/config.json"
mkdir -p "$work/rootfs/app" "$work/rootfs/proc"
cp "$root/examples/hello-redis/spin.toml" "$root/examples/hello-redis/hello.wasm" "$work/rootfs/app/"
mount -t proc proc "$work/rootfs/proc"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port="$(free_port)"
http_port="$(free_port)"
redis-server --port "$redis_port" --save '' > "$work/redis.log" 2>&1 &
redis_pid=$!
chroot_bin="$(PATH="$PATH:/usr/sbin:/sbin" command -v chroot)"
env -i JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/bin:/bin HOME=/home/spindle XDG_CACHE_HOME=/tmp/cache \
  SPIN_HTTP_LISTEN_ADDR="127.0.0.1:$http_port" \
  "$chroot_bin" --userspec=10001:10001 "$work/rootfs" /bin/sh -c \
  "cd /app && exec /opt/spindle/spindle run --variable redis_address=redis://127.0.0.1:$redis_port" > "$work/run.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 180); do grep -q '^Serving' "$work/run.log" && break; sleep 1; done
cat "$work/run.log"
echo "GET / -> $(curl -sf "http://127.0.0.1:$http_port/")"
echo "GET / -> $(curl -sf "http://127.0.0.1:$http_port/")"
# env, chroot, sh and the launcher each exec the next: the pid is the JVM's.
echo "the JVM runs as user: $(ps -o user= -p "$app_pid")"
