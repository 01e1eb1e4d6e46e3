#!/usr/bin/env bash
# Assembles the file tree of Spindle's container image into $1 (cli/target/image-root), from
# this machine alone, so the image builds without a Docker daemon or a registry (Jib then packs
# it onto `scratch`, see the `image` profile in cli/pom.xml):
#   /opt/java             a Java runtime made by jlink from $SPINDLE_IMAGE_JDK (default: the JDK 17
#                         Maven runs on, or /usr/lib/jvm/java-17-openjdk-amd64), only the modules
#                         Spindle uses
#   /opt/spindle/spindle  the launcher, /opt/spindle/cli/target/spindle.jar the jar it runs
#   bash and the few tools the launcher calls, with the shared libraries all of them link
#   /etc/passwd, /etc/group with the unprivileged user spindle (10001), /tmp, /home/spindle
# Usage: packaging/image-root.sh OUT_DIR SPINDLE_JAR
set -euo pipefail

out="$1"
jar="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

jdk="${SPINDLE_IMAGE_JDK:-}"
if [[ -z "$jdk" ]]; then
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64; do
    if [[ -n "$candidate" && -x "$candidate/bin/jlink" && -d "$candidate/jmods" ]]; then jdk="$candidate"; break; fi
  done
fi
if [[ -z "$jdk" || ! -x "$jdk/bin/jlink" || ! -d "$jdk/jmods" ]]; then
  echo "image-root.sh: no JDK with jlink and jmods found; set SPINDLE_IMAGE_JDK (Debian: apt-get install openjdk-17-jdk-headless openjdk-17-jmods)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/opt/spindle/cli/target" "$out/etc" "$out/tmp" "$out/home/spindle" "$out/usr/bin" "$out/bin" "$out/proc" "$out/app"
chmod 1777 "$out/tmp"

# The modules `jdeps --print-module-deps` finds in spindle.jar, plus TLS's elliptic curves and
# DNS, which are looked up by name at run time.
"$jdk/bin/jlink" --add-modules java.base,java.compiler,java.desktop,java.management,java.naming,java.net.http,java.sql,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/opt/java"

cp "$root/spindle" "$out/opt/spindle/spindle"
chmod 755 "$out/opt/spindle/spindle"
cp "$jar" "$out/opt/spindle/cli/target/spindle.jar"

# The launcher's tools, from this machine, and every shared library they and the JVM link.
tools=(bash sh env dirname find sed cat)
binaries=()
for t in "${tools[@]}"; do
  path="$(command -v "$t")"
  path="$(readlink -f "$path")"
  mkdir -p "$out$(dirname "$path")"
  cp "$path" "$out$path"
  binaries+=("$path")
  # both /bin and /usr/bin, as merged-/usr systems have them
  for dir in /bin /usr/bin; do [[ -e "$out$dir/$t" ]] || ln -s "$path" "$out$dir/$t"; done
done
while IFS= read -r -d '' so; do binaries+=("$so"); done < <(find "$out/opt/java" -type f \( -name '*.so' -o -name java \) -print0)
declare -A copied=()
for b in "${binaries[@]}"; do
  while read -r lib; do
    # (the JVM's own libraries resolve inside $out already)
    [[ -z "$lib" || -n "${copied[$lib]:-}" || "$lib" == "$out"* ]] && continue
    copied[$lib]=1
    real="$(readlink -f "$lib")"
    mkdir -p "$out$(dirname "$lib")" "$out$(dirname "$real")"
    cp -n "$real" "$out$real"
    [[ "$lib" == "$real" ]] || ln -sf "$real" "$out$lib"
  done < <(ldd "$b" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
done

echo "root:x:0:0:root:/root:/bin/sh" > "$out/etc/passwd"
echo "spindle:x:10001:10001:spindle:/home/spindle:/bin/sh" >> "$out/etc/passwd"
printf 'root:x:0:\nspindle:x:10001:\n' > "$out/etc/group"
echo "image-root.sh: $(du -sh "$out" | cut -f1) in $out (Java from $jdk)"
