#!/usr/bin/env bash
# Store Wi-Fi credentials in the device's configuration block: tools/upload-network.sh BOARD SERIALPORT SSID PASSWORD
# Root certificates do not go here: put the ones your next hops need in a file named by smtp_tls_CAfile and upload
# it with tools/upload-config.sh. The device store would be parsed into every TLS context, server ones included,
# on the native heap, and `emailcore config check --board` could not see it.
set -euo pipefail
source "$(dirname "$0")/board.sh"
[ $# -eq 4 ] || { echo "usage: $0 BOARD SERIALPORT SSID PASSWORD" >&2; exit 2; }
dir=$(board_dir "$1")
deploy=$(mktemp)
printf '{\n  "WirelessClient": { "Ssid": "%s", "Password": "%s" }\n}\n' "$3" "$4" > "$deploy"
nanoff --platform esp32 --target "$(board_target "$dir")" --serialport "$2" --networkdeployment "$deploy"
rm -f "$deploy"
