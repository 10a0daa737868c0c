#!/usr/bin/env bash
# Upload the configuration and certificates to I:\ : tools/upload-config.sh BOARD SERIALPORT [MAIN.CF] [FILE...]
# MAIN.CF defaults to boards/BOARD/main.cf; FILEs (CA roots, server certificate and key, users file, aliases)
# go to I:\ under their own names, as main.cf refers to them. They are first laid out as on I:\ in a scratch
# folder and checked there with `emailcore config check --board`, which also parses the PEM files.
set -euo pipefail
source "$(dirname "$0")/board.sh"
[ $# -ge 2 ] || { echo "usage: $0 BOARD SERIALPORT [MAIN.CF] [FILE...]" >&2; exit 2; }
dir=$(board_dir "$1")
port=$2
shift 2
config=${1:-$dir/main.cf}
[ $# -gt 0 ] && shift
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$config" "$stage/main.cf"
for f in "$@"; do cp "$f" "$stage/$(basename "$f")"; done
check_config "$stage/main.cf" || { echo "not uploading: $config does not pass emailcore config check --board" >&2; exit 1; }
deploy="$stage/deploy.json"
{
  printf '{\n  "Files": [\n'
  printf '    { "DestinationFilePath": "I:\\\\main.cf", "SourceFilePath": "%s" }' "$stage/main.cf"
  for f in "$@"; do
    printf ',\n    { "DestinationFilePath": "I:\\\\%s", "SourceFilePath": "%s" }' "$(basename "$f")" "$stage/$(basename "$f")"
  done
  printf '\n  ]\n}\n'
} > "$deploy"
nanoff --platform esp32 --target "$(board_target "$dir")" --serialport "$port" --filedeployment "$deploy"
