#!/usr/bin/env bash
# The whole test suite, peers included. Sets up the peers first (each step does nothing when
# it is already in place): a Python venv with the official MCP SDK and FastMCP 3.4.11 (.venv), a
# venv with the official MCP SDK 2.x client (.venv-mcp2), and from npm the MCP conformance suite
# and the TypeScript MCP client SDK 2.x (tests/peers/{conformance,ts_client}/node_modules).
# Then runs `cargo test --workspace`, passing on any extra arguments.
set -euo pipefail
cd "$(dirname "$0")"

bash tests/peers/setup_python.sh "$PWD/.venv"
bash tests/peers/setup_python.sh "$PWD/.venv-mcp2" tests/peers/mcp2/requirements.lock
bash tests/peers/setup_node.sh
export RMCP_SAMPLING_PYTHON="$PWD/.venv/bin/python"
export RMCP_SAMPLING_PYTHON_MCP2="$PWD/.venv-mcp2/bin/python"

cargo test --workspace "$@"
