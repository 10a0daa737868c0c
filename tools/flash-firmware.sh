#!/usr/bin/env bash
# Flash nanoFramework firmware for a board: tools/flash-firmware.sh BOARD SERIALPORT
# Needs nanoff (dotnet tool install -g nanoff) and the board on a serial port. Erases nothing but the firmware.
set -euo pipefail
source "$(dirname "$0")/board.sh"
[ $# -eq 2 ] || { echo "usage: $0 BOARD SERIALPORT   (e.g. esp32-devkitc-wroom /dev/ttyUSB0)" >&2; exit 2; }
dir=$(board_dir "$1")
target=$(board_target "$dir")
echo "flashing $target to $2"
nanoff --platform esp32 --target "$target" --serialport "$2" --update
