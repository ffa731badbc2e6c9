#!/usr/bin/env bash
# Runs the shared sampling-loop benchmark against our example server (`bench_server`, release
# build) and FastMCP 3.4.11, interleaved, with the same Python driver; prints each server's
# medians and the Rust/FastMCP ratios.
#
#   bench/run.sh                 # from anywhere; knobs of run_cases.sh apply (REPEATS=3, ...)
#   BENCH_SRC=/path/to/bench bench/run.sh
#
# BENCH_SRC is the harness (driver.py, run_cases.sh, fastmcp_server.py, requirements.lock; the
# contract is in its README.md), default ../shared/bench beside the repository. It is copied to a
# temporary directory, so the original is never written to; the results stay in that copy.
# The Python venv is the repository's .venv when it has fastmcp and mcp (tests/peers/setup_python.sh),
# otherwise one is made in the copy from requirements.lock.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=${BENCH_SRC:-$root/../shared/bench}
if [ ! -x "$src/run_cases.sh" ]; then
  echo "no benchmark harness at $src (set BENCH_SRC)" >&2
  exit 2
fi

work=$(mktemp -d)
cp -r "$src/." "$work"
chmod -R u+w "$work"
echo "harness copied to $work" >&2

py=$root/.venv/bin/python
if ! "$py" -c 'import fastmcp, mcp' >/dev/null 2>&1; then
  "${PYTHON:-python3.11}" -m venv "$work/.venv"
  "$work/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$work/requirements.lock"
  py=$work/.venv/bin/python
fi

cargo build --release --example bench_server -p rmcp-sampling-examples \
  --manifest-path "$root/Cargo.toml" >&2
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
server=$target/release/examples/bench_server

cd "$work"
# Byte-compile the FastMCP server once, as run_fastmcp.sh does.
"$py" -c 'import fastmcp_server' >/dev/null 2>&1 || true
PY=$py ./run_cases.sh "fastmcp=$py fastmcp_server.py" "rust=$server"

"$py" - <<'PY'
import json

fast = json.load(open("results/fastmcp.json"))["cases"]
rust = json.load(open("results/rust.json"))["cases"]
fields = [
    ("per_call_ms_median", "per-call median ms"),
    ("server_cpu_sched_per_step_us", "server CPU/step us"),
    ("server_peak_rss_kb", "peak RSS KiB"),
]
print("\nRust vs FastMCP, same run (medians; ratio = rust / fastmcp):")
for case in rust:
    for key, name in fields:
        r, f = rust[case]["median"].get(key), fast[case]["median"].get(key)
        ratio = f"{r / f:.3f}" if r is not None and f else "n/a"
        print(f"  {case:14s} {name:20s} rust={r}  fastmcp={f}  ratio={ratio}")
PY
echo "results: $work/results" >&2
