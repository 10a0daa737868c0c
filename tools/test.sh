#!/usr/bin/env bash
# The test command (README "Run the tests"; .ci/run calls exactly this).
# On a fresh Debian machine with the .NET SDK it installs the real peers the tests talk to (only those missing),
# restores, builds the solution including the nanoFramework gate, runs every test, and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages of the peers: swaks; postfix for smtp-source/smtp-sink; dnsmasq-base; aiosmtpd for Debian's python3; openssl; curl.
packages=(swaks postfix dnsmasq-base python3 python3-aiosmtpd openssl curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  # Postfix is wanted for its smtp-source and smtp-sink tools only: no configuration, no daemon on port 25.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration=Release
dotnet restore Emailcore.Nano.sln
# The solution build compiles src/Emailcore.Nano a second time against nanoFramework's mscorlib (the gate).
dotnet build Emailcore.Nano.sln -c "$configuration" --no-restore

log=$(mktemp)
status=0
dotnet test Emailcore.Nano.sln -c "$configuration" --no-build 2>&1 | tee "$log" || status=$?

size_file="src/Emailcore.Nano.Gate/bin/$configuration/net10.0/code-size.txt"
[ -f "$size_file" ] && cat "$size_file"
# One closing line for CI: "tests: N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
