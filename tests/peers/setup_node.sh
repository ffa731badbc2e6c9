#!/usr/bin/env bash
# Installs (or refreshes) the Node peer of the conformance test: the official MCP conformance
# suite (npm @modelcontextprotocol/conformance) and the Node 22 it needs, both pinned by
# tests/peers/conformance/package-lock.json, into tests/peers/conformance/node_modules.
#
#   tests/peers/setup_node.sh
#
# Needs node and npm (any version that runs npm ci) and the npm registry. The suite itself needs
# Node >= 22 (it imports fs.globSync), so the lock also pins the npm package `node`, whose
# install script fetches the matching node-<os>-<arch> binary package from the same registry;
# tests/tests/conformance.rs runs the suite with that binary, not with the system node.
#
# Safe to run again: it only installs when node_modules is missing, broken, or made from another
# lock file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir="$here/conformance"
modules="$dir/node_modules"
stamp="$modules/.rmcp-sampling-lock"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup_node.sh: $tool not found; install Node.js and npm" >&2
    exit 1
  fi
done

hash_lock() {
  node -e '
    const { createHash } = require("crypto");
    const { readFileSync } = require("fs");
    console.log(createHash("sha256").update(readFileSync(process.argv[1])).digest("hex"));
  ' "$dir/package-lock.json"
}

# The installed suite answers --version with the version the lock pins.
installed_ok() {
  local want
  want=$(node -p 'require(process.argv[1]).packages["node_modules/@modelcontextprotocol/conformance"].version' \
    "$dir/package-lock.json")
  [ -x "$modules/.bin/node" ] \
    && [ "$("$modules/.bin/node" "$modules/.bin/conformance" --version 2>/dev/null)" = "$want" ]
}

want=$(hash_lock)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && installed_ok; then
  echo "setup_node.sh: $modules is up to date" >&2
  exit 0
fi

echo "setup_node.sh: npm ci in $dir" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
if ! installed_ok; then
  echo "setup_node.sh: npm ci finished but $modules/.bin/node cannot run the conformance CLI" >&2
  exit 1
fi
echo "setup_node.sh: conformance $("$modules/.bin/node" "$modules/.bin/conformance" --version)," \
  "node $("$modules/.bin/node" --version)" >&2
echo "$want" >"$stamp"
