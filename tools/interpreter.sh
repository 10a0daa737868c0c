#!/usr/bin/env bash
# The interpreter tier (README "Test tiers"), run by tools/test.sh after the build: the portable tests on the 32-bit
# nanoCLR, and the board heap figures on the 79 KiB build. Tools: $EMAILCORE_NANO_TOOLS, else ../shared/tools/nanoframework
# beside the repository. Prints `interpreter: N passed, N failed`, or one line saying why the tier did not run.
# Exit status: 0 when the tier passed or could not run for want of tools, 1 on any failure (a broken tool included).
set -uo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-Release}
tools=${EMAILCORE_NANO_TOOLS:-$(cd .. && pwd)/shared/tools/nanoframework}
out=tests/Emailcore.Nano.Interpreter/bin/$configuration/net10.0
core_pe=src/Emailcore.Nano.Gate/bin/$configuration/net10.0/Emailcore.Nano.pe

if [ ! -x "$tools/nanoclr/nanoclr32" ] || [ ! -x "$tools/mdp/mdp" ]; then
  echo "interpreter: not run (no nanoFramework tools at $tools; set EMAILCORE_NANO_TOOLS, see README \"Test tiers\")"
  exit 0
fi
if [ ! -s "$core_pe" ] || [ ! -s "$out/Emailcore.Nano.Interpreter.pe" ]; then
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
# run NAME VARIANT PE...: mscorlib first, then the core, then the program; output without CR.
run() {
  local name=$1 variant=$2; shift 2
  "$tools/nanoclr/$variant" "$tools/mscorlib/mscorlib.pe" "$@" 2>&1 | tr -d '\r' > "$log/$name"
}

run tests nanoclr32 "$core_pe" "$out/Emailcore.Nano.Interpreter.pe"
grep -E '^FAIL ' "$log/tests" || true
verdict=$(grep -E '^interpreter: [0-9]+ passed, [0-9]+ failed$' "$log/tests" | tail -1)
if [ -z "$verdict" ]; then
  tail -30 "$log/tests"
  echo "interpreter: no verdict line (the program crashed or ended with an unhandled exception; output above)"
  exit 1
fi
echo "$verdict"
failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$verdict")
passed=$(sed -E 's/^interpreter: ([0-9]+) passed.*/\1/' <<<"$verdict")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
exit $status
