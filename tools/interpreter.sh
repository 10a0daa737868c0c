#!/usr/bin/env bash
# The interpreter tier (README "Test tiers"), run by tools/test.sh after the build: the portable tests on the 32-bit
# nanoCLR, and every board's heap at full load (the 79 KiB build for boards without PSRAM) against its budget.txt. Tools: $EMAILCORE_NANO_TOOLS, else ../shared/tools/nanoframework
# beside the repository. Prints `interpreter: N passed, N failed`, or one line saying why the tier did not run.
# `tools/interpreter.sh bench` prints the interpreter benchmark figures instead (docs/PERFORMANCE.md).
# Exit status: 0 when the tier passed or could not run for want of tools, 1 on any failure (a broken tool included).
set -uo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-Release}
tools=${EMAILCORE_NANO_TOOLS:-$(cd .. && pwd)/shared/tools/nanoframework}
out=tests/Emailcore.Nano.Interpreter/bin/$configuration/net10.0
probe=tests/Emailcore.Nano.BoardHeap/bin/$configuration/net10.0/Emailcore.Nano.BoardHeap.pe
# The core's three assemblies, lowest layer first (build/NanoGate.props): the order the runner loads them in.
core_pes=()
for layer in Emailcore.Nano Emailcore.Nano.Smtp Emailcore.Nano.Relay; do
  core_pes+=("src/$layer.Gate/bin/$configuration/net10.0/$layer.pe")
done

if [ ! -x "$tools/nanoclr/nanoclr32" ] || [ ! -x "$tools/mdp/mdp" ]; then
  echo "interpreter: not run (no nanoFramework tools at $tools; set EMAILCORE_NANO_TOOLS, see README \"Test tiers\")"
  exit 0
fi
for pe in "${core_pes[@]}"; do
  [ -s "$pe" ] || { echo "interpreter: not run (the build made no $pe; was it built with the tools at $tools?)"; exit 1; }
done
if [ ! -s "$out/Emailcore.Nano.Interpreter.pe" ] || [ ! -s "$probe" ]; then
  echo "interpreter: not run (the build made no .pe files; was it built with the tools at $tools?)"
  exit 1
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# A broken tool is reported as such, not as a failing test of ours.
if ! "$tools/selftest.sh" > "$log/selftest" 2>&1; then
  tail -20 "$log/selftest"
  echo "interpreter: tools broken ($tools/selftest.sh failed; see above)"
  exit 1
fi

status=0
# run NAME VARIANT PE...: mscorlib first, then the core's assemblies, then the program; output without CR.
run() {
  local name=$1 variant=$2; shift 2
  # Bounded: a program whose threads never end would keep the runner alive.
  timeout 600 "$tools/nanoclr/$variant" "$tools/mscorlib/mscorlib.pe" "$@" 2>&1 | tr -d '\r' > "$log/$name"
}

# `tools/interpreter.sh bench`: the speed figures of docs/PERFORMANCE.md instead of the tier.
if [ "${1:-}" = bench ]; then
  run bench nanoclr32 "${core_pes[@]}" "tests/Emailcore.Nano.InterpreterBenchmarks/bin/$configuration/net10.0/Emailcore.Nano.InterpreterBenchmarks.pe"
  grep -E '^bench: ' "$log/bench"
  exit 0
fi

run tests nanoclr32 "${core_pes[@]}" "$out/Emailcore.Nano.Interpreter.pe"
grep -E '^FAIL ' "$log/tests" || true
verdict=$(grep -E '^interpreter: [0-9]+ passed, [0-9]+ failed$' "$log/tests" | tail -1)
if [ -z "$verdict" ]; then
  tail -30 "$log/tests"
  echo "interpreter: no verdict line (the program crashed or ended with an unhandled exception; output above)"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$verdict")
passed=$(sed -E 's/^interpreter: ([0-9]+) passed.*/\1/' <<<"$verdict")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1

# Each board's heap at full load against its budget.txt: the boards without PSRAM on the 79 KiB build, the others on 10 MiB.
for variant in nanoclr32-79k nanoclr32; do
  run "heap-$variant" "$variant" "$tools/runtime-native/nanoFramework.Runtime.Native.pe" "${core_pes[@]}" "$probe"
  grep -E '^(FAIL )?heap' "$log/heap-$variant" | grep -E 'used_at_full_load|^FAIL' || true
  heap_verdict=$(grep -E '^boardheap: [0-9]+ passed, 0 failed$' "$log/heap-$variant" | tail -1)
  if [ "$variant" = nanoclr32-79k ]; then
    # Real heap exhaustion on the 79 KiB build: the session answers 4xx or closes, nothing acknowledged is lost.
    grep -E '^oom: [0-9]+ bytes left' "$log/heap-$variant" || true
    grep -qE '^oom: [0-9]+ passed, 0 failed$' "$log/heap-$variant" || heap_verdict=""
  fi
  if [ -z "$heap_verdict" ]; then
    grep -E '^(heap|boardheap|oom)' "$log/heap-$variant" | tail -5
    echo "interpreter: board heap check failed on $variant (above)"
    status=1
  fi
done
echo "$verdict"
exit $status
