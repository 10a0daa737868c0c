#!/usr/bin/env bash
# The relay benchmark (docs/PERFORMANCE.md): smtp-source -> smtp-sink directly (the ceiling), through our relay and
# through a throwaway Postfix configured as the same durable relay, for 1 KiB and 100 KiB at 1, 4 and 16 sessions and
# 1 KiB x 10 recipients, in interleaved rounds; prints one table of medians. Needs root (Postfix's queue is owned by
# the postfix user) and the packages tools/test.sh installs (postfix for smtp-source, smtp-sink and postfix itself).
# BENCH_ROUNDS (3) and BENCH_SCALE (1.0, message counts) tune it; EMAILCORE_DLL measures another build of the relay.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "benchmark: run as root (the Postfix instance needs its postfix user)" >&2
    exit 2
fi

for tool in smtp-source smtp-sink postfix python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "benchmark: $tool is missing (apt-get install postfix python3; see README)" >&2; exit 2; }
done

if [ -z "${EMAILCORE_DLL:-}" ]; then
    dotnet build src/Emailcore.Nano.Host -c Release -m:1 -v q -nologo >/dev/null
    EMAILCORE_DLL="$PWD/src/Emailcore.Nano.Host/bin/Release/net10.0/emailcore.dll"
fi

EMAILCORE_DLL="$EMAILCORE_DLL" exec python3 tools/benchmark/driver.py
