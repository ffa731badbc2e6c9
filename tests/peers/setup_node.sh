#!/usr/bin/env bash
# Installs (or refreshes) the Node peers, each pinned by its package-lock.json, into its own
# node_modules:
# - tests/peers/conformance: the official MCP conformance suite (npm @modelcontextprotocol/conformance),
#   run by tests/tests/conformance.rs;
# - tests/peers/ts_client: the official TypeScript MCP client SDK 2.x (npm @modelcontextprotocol/client),
#   run by tests/tests/ts_round_trip.rs.
#
#   tests/peers/setup_node.sh
#
# Needs node and npm (any version that runs npm ci) and the npm registry. The peers need
# Node >= 22 (the suite imports fs.globSync), so each lock also pins the npm package `node`,
# whose install script fetches the matching node-<os>-<arch> binary package from the same
# registry; the tests run each peer with that binary (node_modules/.bin/node), not with the
# system node.
#
# Safe to run again: it only installs when a node_modules is missing, broken, or made from
# another lock file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

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
  ' "$1/package-lock.json"
}

# The version of `package` that the lock in $1 pins.
locked_version() {
  node -p 'require(process.argv[1]).packages["node_modules/" + process.argv[2]].version' \
    "$1/package-lock.json" "$2"
}

# The installed suite answers --version with the version the lock pins.
conformance_ok() {
  local dir=$1 modules=$1/node_modules
  [ -x "$modules/.bin/node" ] \
    && [ "$("$modules/.bin/node" "$modules/.bin/conformance" --version 2>/dev/null)" \
      = "$(locked_version "$dir" @modelcontextprotocol/conformance)" ]
}
conformance_describe() {
  local modules=$1/node_modules
  echo "conformance $("$modules/.bin/node" "$modules/.bin/conformance" --version)," \
    "node $("$modules/.bin/node" --version)"
}

# The installed client SDK imports, at the version the lock pins.
ts_client_ok() {
  local dir=$1 modules=$1/node_modules
  [ -x "$modules/.bin/node" ] \
    && [ "$(cd "$dir" && "$modules/.bin/node" --input-type=module -e '
      import "@modelcontextprotocol/client";
      import { readFileSync } from "node:fs";
      console.log(JSON.parse(readFileSync("node_modules/@modelcontextprotocol/client/package.json")).version);
    ' 2>/dev/null)" = "$(locked_version "$dir" @modelcontextprotocol/client)" ]
}
ts_client_describe() {
  local dir=$1
  echo "@modelcontextprotocol/client $(locked_version "$dir" @modelcontextprotocol/client)," \
    "node $("$dir/node_modules/.bin/node" --version)"
}

# ensure NAME: installs tests/peers/NAME unless it is in place; NAME_ok checks it.
ensure() {
  local name=$1 dir=$here/$1 check=${1}_ok describe=${1}_describe
  local modules=$dir/node_modules
  local stamp=$modules/.rmcp-sampling-lock want
  want=$(hash_lock "$dir")
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$check" "$dir"; then
    echo "setup_node.sh: $modules is up to date" >&2
    return 0
  fi
  echo "setup_node.sh: npm ci in $dir" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  if ! "$check" "$dir"; then
    echo "setup_node.sh: npm ci finished but $name does not run with $modules/.bin/node" >&2
    exit 1
  fi
  echo "setup_node.sh: $("$describe" "$dir")" >&2
  echo "$want" >"$stamp"
}

ensure conformance
ensure ts_client
