#!/usr/bin/env bash
# Deploy the application: tools/deploy-app.sh BOARD SERIALPORT IMAGE
# IMAGE is the .bin that Visual Studio with the nanoFramework extension builds from
# src/Emailcore.Nano.Device/Emailcore.Nano.Device.nfproj (bin/Release/Emailcore.Nano.Device.bin).
set -euo pipefail
source "$(dirname "$0")/board.sh"
[ $# -eq 3 ] || { echo "usage: $0 BOARD SERIALPORT IMAGE.bin" >&2; exit 2; }
dir=$(board_dir "$1")
[ -f "$3" ] || { echo "no such image: $3" >&2; exit 2; }
nanoff --platform esp32 --target "$(board_target "$dir")" --serialport "$2" --deploy --image "$3"
