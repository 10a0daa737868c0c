#!/usr/bin/env bash
# Shared by the board scripts: find a board folder and check its configuration with the same parser the firmware uses.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# board_dir NAME: the folder of a supported board, or an error listing them.
board_dir() {
  local dir="$repo/boards/$1"
  if [ ! -f "$dir/main.cf" ]; then
    local known=""
    for b in "$repo"/boards/*/; do known="$known $(basename "$b")"; done
    echo "unknown board '$1'; supported:$known" >&2
    exit 2
  fi
  echo "$dir"
}

# board_target DIR: the nanoFramework firmware target named first in the board's README.
board_target() {
  # shellcheck disable=SC2016 # the backquotes are Markdown, not shell
  grep -m1 '^| Firmware target |' "$1/README.md" | grep -o '`[A-Z0-9_]*`' | head -1 | tr -d '`'
}

# check_config FILE: `emailcore config check --board FILE`, so a bad file never reaches the board.
check_config() {
  dotnet run --project "$repo/src/Emailcore.Nano.Host" -- config check --board "$1" >/dev/null
}
