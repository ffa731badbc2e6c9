#!/usr/bin/env bash
# The whole test suite, peers included. Sets up the peers first (both steps do nothing when
# they are already in place): a Python venv with the official MCP SDK and FastMCP 3.4.11
# (.venv), and the MCP conformance suite from npm (tests/peers/conformance/node_modules).
# Then runs `cargo test --workspace`, passing on any extra arguments.
set -euo pipefail
cd "$(dirname "$0")"

bash tests/peers/setup_python.sh "$PWD/.venv"
bash tests/peers/setup_node.sh
export RMCP_SAMPLING_PYTHON="$PWD/.venv/bin/python"

cargo test --workspace "$@"
