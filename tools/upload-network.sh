#!/usr/bin/env bash
# Store Wi-Fi credentials and CA roots in the device's configuration block:
# tools/upload-network.sh BOARD SERIALPORT SSID PASSWORD [CA.pem]
# The firmware's TLS trusts only this bundle (and smtp_tls_CAfile): it has no built-in public roots.
set -euo pipefail
source "$(dirname "$0")/board.sh"
[ $# -ge 4 ] || { echo "usage: $0 BOARD SERIALPORT SSID PASSWORD [CA.pem]" >&2; exit 2; }
dir=$(board_dir "$1")
deploy=$(mktemp)
{
  printf '{\n  "WirelessClient": { "Ssid": "%s", "Password": "%s" }' "$3" "$4"
  [ $# -ge 5 ] && printf ',\n  "CACertificatesPath": "%s"' "$(realpath "$5")"
  printf '\n}\n'
} > "$deploy"
nanoff --platform esp32 --target "$(board_target "$dir")" --serialport "$2" --networkdeployment "$deploy"
rm -f "$deploy"
