#!/usr/bin/env bash
# The test command (README "Run the tests"; .ci/run calls exactly this).
# On a fresh Debian machine with the .NET SDK it installs the real peers the tests talk to (only those missing),
# checks that each peer can do what the tests ask of it, restores, builds the solution including the
# nanoFramework gate, runs every test, and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages of the peers. Installed with --no-install-recommends, so every optional module a test relies
# on is named here: swaks does TLS only with Net::SSLeay (a Recommends of swaks), IO::Socket::SSL rides along.
packages=(
  swaks libnet-ssleay-perl libio-socket-ssl-perl # swaks with STARTTLS, implicit TLS and AUTH
  postfix                                        # smtp-source and smtp-sink only: no configuration, no daemon
  dnsmasq-base                                   # DNS served on loopback
  python3 python3-aiosmtpd                       # smtplib, email and aiosmtpd in Debian's /usr/bin/python3
  openssl ca-certificates curl                   # certificates, TLS probes, curl as an SMTP client
  libc6-i386 lib32stdc++6 lib32gcc-s1            # the 32-bit nanoCLR of the interpreter tier (tools/interpreter.sh)
  systemd                                        # systemd-analyze verify on tools/emailcore.service
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Each peer must be able to do what the tests ask of it; otherwise stop here with the package that is missing,
# before a test fails for a reason that is not ours.
peer_missing() { echo "test.sh: $1 (install the Debian package $2)" >&2; exit 1; }
swaks_support=$(swaks --support 2>&1 || true)
grep -q '^=== TLS supported' <<<"$swaks_support" || peer_missing "swaks cannot do TLS" libnet-ssleay-perl
grep -q '^=== Basic AUTH supported' <<<"$swaks_support" || peer_missing "swaks cannot do AUTH" swaks
[ -x /usr/sbin/smtp-sink ] && [ -x /usr/sbin/smtp-source ] || peer_missing "smtp-sink or smtp-source is missing" postfix
[ -x /usr/sbin/dnsmasq ] || peer_missing "dnsmasq is missing" dnsmasq-base
/usr/bin/python3 -c 'import smtplib, email, ssl' 2>/dev/null || peer_missing "/usr/bin/python3 lacks smtplib, email or ssl" python3
/usr/bin/python3 -c 'import aiosmtpd.controller' 2>/dev/null || peer_missing "/usr/bin/python3 cannot import aiosmtpd" python3-aiosmtpd
openssl version >/dev/null 2>&1 || peer_missing "openssl is missing" openssl
curl_features=$(curl -V 2>/dev/null || true)
grep -q '^Protocols:.* smtps' <<<"$curl_features" || peer_missing "curl cannot speak SMTP over TLS" curl
nano_tools=${EMAILCORE_NANO_TOOLS:-$(cd .. && pwd)/shared/tools/nanoframework}
nanoclr32=$nano_tools/nanoclr/x86/bin/nanoFramework.nanoCLR.test
if [ -x "$nanoclr32" ] && ldd "$nanoclr32" 2>&1 | grep -q 'not found'; then
  peer_missing "the 32-bit nanoCLR lacks i386 libraries" "libc6-i386 lib32stdc++6 lib32gcc-s1"
fi
systemd-analyze --version >/dev/null 2>&1 || peer_missing "systemd-analyze is missing" systemd

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration=Release
dotnet restore Emailcore.Nano.sln
# The solution build compiles src/Emailcore.Nano a second time against nanoFramework's mscorlib (the gate).
dotnet build Emailcore.Nano.sln -c "$configuration" --no-restore

# The nanoFramework package of the core (README "nanoFramework package"): its three assemblies (build/NanoGate.props)
# with the .pe files the MetadataProcessor made.
gate_layers=(Emailcore.Nano Emailcore.Nano.Smtp Emailcore.Nano.Relay)
top_pe="src/Emailcore.Nano.Relay.Gate/bin/$configuration/net10.0/Emailcore.Nano.Relay.pe"
if [ -s "$top_pe" ]; then
  dotnet pack src/Emailcore.Nano.Relay.Gate/Emailcore.Nano.Relay.Gate.csproj -c "$configuration" --no-build -o artifacts/nuget -v:q -nologo
  nupkg=$(ls artifacts/nuget/Emailcore.Nano.*.nupkg | tail -1)
  python3 -c 'import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); missing = ["lib/%s.pe" % a for a in sys.argv[2:] if "lib/%s.pe" % a not in names]; print(" ".join(missing)); sys.exit(1 if missing else 0)' "$nupkg" "${gate_layers[@]}" \
    || { echo "test.sh: $nupkg lacks the .pe files above" >&2; exit 1; }
  echo "package: $nupkg (lib/ holds ${gate_layers[*]}: .dll, .pe, .pdbx, .pdb, .xml)"
else
  echo "package: not built (no $top_pe: the MetadataProcessor did not run)"
fi

log=$(mktemp)
status=0
dotnet test Emailcore.Nano.sln -c "$configuration" --no-build 2>&1 | tee "$log" || status=$?

# The interpreter tier: its own verdict line, or one line saying why it did not run.
CONFIGURATION=$configuration bash tools/interpreter.sh || status=1
# The emulator tier: the board's program on nanoclr32-net against real peers, with its own verdict line.
CONFIGURATION=$configuration bash tools/emulator.sh || status=1

for layer in "${gate_layers[@]}"; do
  size_file="src/$layer.Gate/bin/$configuration/net10.0/code-size.txt"
  [ -f "$size_file" ] && cat "$size_file"
done
# One closing line for CI: "tests: N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
