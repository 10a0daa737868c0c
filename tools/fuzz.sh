#!/usr/bin/env bash
# The fuzz command: coverage-guided fuzzing of the core with libFuzzer (Debian's clang) through SharpFuzz.
#
#   bash tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Default: 300 seconds for each of command, reply, session, dns, maincf, maps and spool (about 35 minutes).
# A longer run is the same command with a bigger budget, e.g. `bash tools/fuzz.sh 3600 session spool`.
# It publishes tests/Emailcore.Nano.Fuzz, instruments Emailcore.Nano.dll there with SharpFuzz, builds the driver
# (tools/fuzz/driver.c) and runs libFuzzer per target on its seeds (tests/Emailcore.Nano.Fuzz/Seeds/TARGET) and a
# growing corpus in artifacts/fuzz/corpus/TARGET. A finding is saved in artifacts/fuzz/findings/TARGET/ and
# reproduced with `dotnet artifacts/fuzz/app/Emailcore.Nano.Fuzz.dll TARGET FILE`; fix it and copy the file into
# tests/Emailcore.Nano.Fuzz/Findings/TARGET/, where the test command replays it for ever. Exit 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(command reply session dns maincf maps spool)

# libFuzzer's runtime is in Debian's libclang-rt-14-dev; clang itself in clang-14.
packages=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
clang=$(command -v clang-14 || command -v clang)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/fuzz
rm -rf "$out/app"
dotnet tool restore >/dev/null
dotnet publish tests/Emailcore.Nano.Fuzz -c Release -o "$out/app" -v quiet -nologo
dotnet tool run sharpfuzz "$out/app/Emailcore.Nano.dll"
"$clang" -O1 -g -fsanitize=fuzzer tools/fuzz/driver.c -o "$out/driver"

# Longest input per target: a command line, replies, a session, a DNS message, configuration files, spool segments.
declare -A max_len=([command]=600 [reply]=8192 [session]=8192 [dns]=4096 [maincf]=16384 [maps]=8192 [spool]=16384)
failed=()
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "fuzz.sh: no target $t (targets: ${!max_len[*]})" >&2; exit 2; }
  mkdir -p "$out/corpus/$t" "$out/findings/$t"
  echo "== $t: ${budget}s"
  # The target process gets 1 GiB of managed heap: a runaway allocation is an OutOfMemoryException, a finding.
  if EMAILCORE_FUZZ_COMMAND="dotnet $out/app/Emailcore.Nano.Fuzz.dll $t" DOTNET_GCHeapHardLimit=0x40000000 \
     "$out/driver" -max_total_time="$budget" -timeout=10 -max_len="${max_len[$t]}" -print_final_stats=1 \
       -artifact_prefix="$out/findings/$t/" "$out/corpus/$t" "tests/Emailcore.Nano.Fuzz/Seeds/$t" \
       >"$out/$t.log" 2>&1; then
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)|^#[0-9]+.*DONE" "$out/$t.log" | tr '\n' ' '; echo
  else
    failed+=("$t")
    tail -30 "$out/$t.log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs in $out/findings/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${budget}s each, no finding"
