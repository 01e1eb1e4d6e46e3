#!/usr/bin/env bash
# Rebuilds every example's .wasm (examples/<name>/build.sh) and reports, per example, whether it
# was built, failed, or its toolchain is missing (the build.sh says what to install).
# Exit status: 0 when every example built, 1 when a build failed, 3 when only toolchains are missing.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
examples=(hello-redis session-cache api-cache queue rate-limit pubsub sandbox)
declare -A status
failed=0
missing=0
for name in "${examples[@]}"; do
  echo "== examples/$name"
  "$here/$name/build.sh"
  rc=$?
  case $rc in
    0) status[$name]="built" ;;
    3) status[$name]="toolchain missing (see the message above)"; missing=1 ;;
    *) status[$name]="FAILED (exit $rc)"; failed=1 ;;
  esac
done
echo
echo "summary:"
for name in "${examples[@]}"; do
  printf '  %-15s %s\n' "$name" "${status[$name]}"
done
if (( failed )); then exit 1; fi
if (( missing )); then exit 3; fi
if git -C "$here" rev-parse >/dev/null 2>&1; then
  changed="$(git -C "$here" -c core.fileMode=false status --porcelain -- '*.wasm')"
  if [[ -n "$changed" ]]; then
    echo "rebuilt modules differ from the committed ones (commit them with their sources):"
    echo "$changed" | sed 's/^/  /'
  else
    echo "every rebuilt module is identical to the committed one"
  fi
fi
