#!/usr/bin/env bash
# Creates (or refreshes) the Python venv the peer tests run: FastMCP 3.4.11 and the official
# MCP SDK (mcp 1.30.0), pinned by tests/peers/fastmcp/requirements.lock.
#
#   tests/peers/setup_python.sh [VENV_DIR [LOCK]]   # default: <repo>/.venv and that lock
#
# LOCK picks another pinned environment, e.g. tests/peers/mcp2/requirements.lock (the Python
# MCP SDK 2.x client, which speaks 2026-07-28), in a venv of its own.
#
# Needs python3 >= 3.10 with the venv module, and PyPI. Safe to run again: it only installs when
# the venv is missing, broken, or made from another lock file. PYTHON picks the interpreter.
#
# The lock is installed with --no-deps: fastmcp-slim 3.4.11 asks for a certifi release that the
# index may not have, so a resolving install can fail; every package is pinned in the lock.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=${1:-"$repo/.venv"}
lock=${2:-"$here/fastmcp/requirements.lock"}
# Every lock pins `mcp`; FastMCP only where the lock has it.
modules=mcp
if grep -q '^fastmcp==' "$lock"; then
  modules="fastmcp, mcp"
fi
python=${PYTHON:-python3}

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup_python.sh: $python not found; install Python 3.10+ or set PYTHON" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "setup_python.sh: FastMCP 3.4.11 needs Python 3.10+; $python is $("$python" -V 2>&1)" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup_python.sh: creating $venv" >&2
  "$python" -m venv "$venv"
fi

stamp="$venv/.rmcp-sampling-lock"
hash_lock() {
  "$venv/bin/python" -c \
    'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$lock"
}
want=$(hash_lock)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && "$venv/bin/python" -c "import $modules" >/dev/null 2>&1; then
  echo "setup_python.sh: $venv is up to date" >&2
  exit 0
fi

echo "setup_python.sh: installing $lock into $venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$lock"
"$venv/bin/python" -c "import $modules"  # the server and the SDK import cleanly
"$venv/bin/python" -c '
import sys
from importlib.metadata import version
print("setup_python.sh:", ", ".join(f"{name} {version(name)}" for name in sys.argv[1:]))
' ${modules//,/} >&2
echo "$want" >"$stamp"
