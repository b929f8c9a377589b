#!/usr/bin/env bash
# Installs the solc-js shim where py-solc-x looks for the pinned compiler:
# <dir>/solc-v<version> for each dir given (the project's .solcx and ~/.solcx by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(node -p "require('$root/node_modules/solc/package.json').version")"
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$root/.solcx" "$HOME/.solcx")
for dir in "${dirs[@]}"; do
  mkdir -p "$dir"
  target="$dir/solc-v$version"
  tmp="$(mktemp "$dir/.solc-shim.XXXXXX")"
  cat > "$tmp" <<SH
#!/bin/sh
# solc $version: npm solc-js behind a native-solc command line (installed by make setup)
exec node "$root/tools/solc-shim.js" "\$@"
SH
  chmod 755 "$tmp"
  mv -f "$tmp" "$target"
done
