#!/usr/bin/env bash
# Rebuilds every SDK's example and test guests (sdk/<language>/build.sh) and reports, per
# language, whether it was built, failed, or its toolchain is missing (with the install hint).
# The committed .wasm files are left as they are for a language whose toolchain is missing.
# Exit status: 0 when every language built, 1 when a build failed, 3 when only toolchains are missing.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
languages=(c rust assemblyscript)
declare -A status
failed=0
missing=0
for lang in "${languages[@]}"; do
  echo "== sdk/$lang"
  "$here/$lang/build.sh"
  rc=$?
  case $rc in
    0) status[$lang]="built" ;;
    3) status[$lang]="toolchain missing (see the message above)"; missing=1 ;;
    *) status[$lang]="FAILED (exit $rc)"; failed=1 ;;
  esac
done
echo
echo "summary:"
for lang in "${languages[@]}"; do
  printf '  %-15s %s\n' "$lang" "${status[$lang]}"
done
if (( failed )); then exit 1; fi
if (( missing )); then exit 3; fi
if command -v git >/dev/null 2>&1 && git -C "$here" rev-parse >/dev/null 2>&1; then
  changed="$(git -C "$here" status --porcelain -- '*.wasm')"
  if [[ -n "$changed" ]]; then
    echo "rebuilt modules differ from the committed ones (commit them with their sources):"
    echo "$changed" | sed 's/^/  /'
  else
    echo "every rebuilt module is identical to the committed one"
  fi
fi
