#!/usr/bin/env bash
# The emulator tier (README "Test tiers"), run by tools/test.sh after the build: the board's program
# (tests/Emailcore.Nano.Emulator: src/Emailcore.Nano.Device's start-up and socket bindings over the core's three
# assemblies) on nanoclr32-net, the 32-bit nanoCLR with nanoFramework's System.Net over Linux sockets, against real
# peers on loopback (tests/Emailcore.Nano.Emulator/emulator_tests.py). Tools: $EMAILCORE_NANO_NET_TOOLS, else
# ../shared/tools/nanoframework-net beside the repository, and Runtime.Native from the interpreter tier's folder.
# Prints `emulator: N passed, N failed`, or one line saying why the tier did not run.
# `tools/emulator.sh bench` prints the messages/s figure of docs/PERFORMANCE.md instead; `tools/emulator.sh run BOARD
# [name=value ...]` runs one session by hand (README "Test tiers"); other arguments select tests by name
# (`tools/emulator.sh smuggling`).
# Exit status: 0 when the tier passed or could not run for want of tools, 1 on any failure (a broken tool included).
set -uo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-Release}
net_tools=${EMAILCORE_NANO_NET_TOOLS:-$(cd .. && pwd)/shared/tools/nanoframework-net}
tools=${EMAILCORE_NANO_TOOLS:-$(cd .. && pwd)/shared/tools/nanoframework}
program=tests/Emailcore.Nano.Emulator/bin/$configuration/net10.0/Emailcore.Nano.Emulator.pe

if [ ! -x "$net_tools/nanoclr/nanoclr32-net-79k" ] || [ ! -s "$net_tools/lib/System.Net.pe" ] || [ ! -s "$tools/runtime-native/nanoFramework.Runtime.Native.pe" ]; then
  echo "emulator: not run (no nanoclr32-net tools at $net_tools, or no Runtime.Native at $tools; set EMAILCORE_NANO_NET_TOOLS, see README \"Test tiers\")"
  exit 0
fi
if [ ! -s "$program" ]; then
  echo "emulator: not run (the build made no $program; was it built with the tools at $net_tools?)"
  exit 1
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# The load order the runner needs: mscorlib, Runtime.Native, System.Net's dependencies, System.Net, the core's three
# assemblies lowest layer first (build/NanoGate.props), the program.
{
  echo "$net_tools/mscorlib/mscorlib.pe"
  echo "$tools/runtime-native/nanoFramework.Runtime.Native.pe"
  for a in nanoFramework.System.Text nanoFramework.Runtime.Events System.Threading System.IO.Streams System.Net; do
    echo "$net_tools/lib/$a.pe"
  done
  for layer in Emailcore.Nano Emailcore.Nano.Smtp Emailcore.Nano.Relay; do
    echo "$PWD/src/$layer.Gate/bin/$configuration/net10.0/$layer.pe"
  done
  echo "$PWD/$program"
} > "$log/pes"

if [ "${1:-}" = bench ] || [ "${1:-}" = run ]; then
  mode=$1; shift
  EMAILCORE_NANO_NET_TOOLS=$net_tools /usr/bin/python3 tests/Emailcore.Nano.Emulator/emulator_tests.py "$log/pes" "--$mode" "$@"
  exit $?
fi

# For the tier (not for bench or run): a broken tool is reported as such, not as a failing test of ours.
if ! "$net_tools/selftest.sh" > "$log/selftest" 2>&1; then
  tail -20 "$log/selftest"
  echo "emulator: tools broken ($net_tools/selftest.sh failed; see above)"
  exit 1
fi

# Bounded: a test whose peer hangs must not hold the test command.
EMAILCORE_NANO_NET_TOOLS=$net_tools timeout 600 /usr/bin/python3 tests/Emailcore.Nano.Emulator/emulator_tests.py "$log/pes" "$@" > "$log/tests" 2>&1
grep -E '^(FAIL |emulator heap: )' "$log/tests" || true
verdict=$(grep -E '^emulator: [0-9]+ passed, [0-9]+ failed$' "$log/tests" | tail -1)
if [ -z "$verdict" ]; then
  tail -30 "$log/tests"
  echo "emulator: no verdict line (the test script crashed or timed out; output above)"
  exit 1
fi
echo "$verdict"
failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$verdict")
passed=$(sed -E 's/^emulator: ([0-9]+) passed.*/\1/' <<<"$verdict")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
