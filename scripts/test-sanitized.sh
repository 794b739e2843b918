#!/bin/sh
# Builds the preload library with AddressSanitizer and UBSan (a separate
# build in build/sanitize/, the normal one is untouched) and runs end-to-end
# tests through it; any sanitizer report fails the run. CI runs the default
# selection (.ci/run); name test files to run others:
#   sh scripts/test-sanitized.sh [test/e2e/FILE.test.ts ...]
#
# The ASan runtime must be the first library a program loads, before the
# sanitized libbia.so: bia run takes both from BIA_PRELOAD_LIBRARY, runtime
# first, and puts them at the front of the program's LD_PRELOAD. Between
# them goes a one-function shim (scripts/asan-swift-demangle.c says why)
# without which curl hangs at start under any preloaded ASan runtime, bia
# or not (LD_PRELOAD=libasan.so curl --version). Reports
# go to files (log_path) rather than to the programs' stderr, so that a
# test which does not look at stderr cannot miss one.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/sanitize
mkdir -p "$out"
rm -rf "$out/reports"
mkdir -p "$out/reports"
# The names the C side shares with src/, as binding.gyp has them made.
node "$root/scripts/gen-contract.mjs" >/dev/null
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Wextra -fvisibility=hidden -fPIC -shared -g -O1 -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -I"$root/preload/include" -I"$root/preload/core" \
  $(ls "$root"/preload/core/*/*.c "$root"/preload/hooks/*.c) -o "$out/libbia.so" -ldl -lpthread
cc -std=gnu11 -Wall -Wextra -fPIC -shared -O1 "$root/scripts/asan-swift-demangle.c" -o "$out/libasan-swift-demangle.so"

export BIA_PRELOAD_LIBRARY="$(cc -print-file-name=libasan.so) $out/libasan-swift-demangle.so $out/libbia.so"
# Leaks of the programs themselves (python3, curl) are not bia's: leak
# checking stays off; the C tests under ASan (test/c) check bia's own.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$out/reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$out/reports/ubsan"
export BIA_STRESS_ITERATIONS=${BIA_STRESS_ITERATIONS:-10}
# A quick check that the hang above stays away (a hang would otherwise cost
# every curl test its whole timeout).
if ! timeout 20 env LD_PRELOAD="$BIA_PRELOAD_LIBRARY" curl --version >/dev/null; then
  echo "curl does not start with $BIA_PRELOAD_LIBRARY preloaded" >&2
  exit 1
fi
[ $# -gt 0 ] || set -- test/e2e/ipv4-program-on-ipv6-only-network.test.ts test/e2e/ipv4-servers-and-udp.test.ts \
  test/e2e/fd-lifecycle.test.ts test/e2e/stress.test.ts
cd "$root"
rc=0
npx vitest run "$@" || rc=$?
if [ -n "$(ls -A "$out/reports")" ]; then
  echo "sanitizer reports:" >&2
  cat "$out"/reports/* >&2
  rc=1
fi
exit $rc
