#!/usr/bin/env bash
# Runs the shared sampling-loop benchmark against three servers, interleaved, with the same
# Python driver (the official MCP SDK client):
#   fastmcp  FastMCP 3.4.11 (the harness's fastmcp_server.py)
#   raw      bench/raw (bench_raw): the same contract written by hand on raw rmcp (the baseline)
#   ours     examples/bench_server.rs: the contract written with rmcp-sampling
# then a scaling run (loop_text at S = 5, 20, 80; raw and ours) and prints, per case, the
# medians and the ratios ours/raw (and ours/fastmcp): server CPU per step (schedstat), wall per
# step, peak RSS, loop_parallel overhead above the sleep, start-up time. Ratios are taken per
# repeat (same repeat, back-to-back runs) and their median is reported, so slow drifts of the
# host's load cancel out.
#
#   bench/run.sh                      # from anywhere
#   REPEATS=9 bench/run.sh            # more repeats (default 5)
#   FASTMCP=0 bench/run.sh            # skip FastMCP (slow: ~30 s per repeat)
#   SCALING=0 bench/run.sh            # skip the scaling run; SCALE_STEPS="5 20 80" picks the S
#   BENCH_SRC=/path/to/bench bench/run.sh
#   OURS_FEATURES= bench/run.sh       # ours with its default features (serde_json preserve_order);
#                                     # by default ours is built with --no-default-features, as raw
#   BUILD=0 RAW=/path OURS=/path bench/run.sh   # other builds of the two servers, no cargo build
#   RELR=0 bench/run.sh               # both servers linked without packed relocations (bench/link.sh)
#
# Other knobs of run_cases.sh apply (WARMUP, TEXT_STEPS, TEXT_CALLS, STRUCT_STEPS, ...).
# BENCH_SRC is the harness (driver.py, run_cases.sh, fastmcp_server.py, requirements.lock; the
# contract is in its README.md), default ../shared/bench beside the repository. It is copied to a
# temporary directory, so the original is never written to; the results stay in that copy.
# The Python venv is the repository's .venv when it has fastmcp and mcp (tests/peers/setup_python.sh),
# otherwise one is made in the copy from requirements.lock.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/link.sh
source "$root/bench/link.sh"
src=${BENCH_SRC:-$root/../shared/bench}
if [ ! -x "$src/run_cases.sh" ]; then
  echo "no benchmark harness at $src (set BENCH_SRC)" >&2
  exit 2
fi
REPEATS=${REPEATS:-5}
FASTMCP=${FASTMCP:-1}
SCALING=${SCALING:-1}
SCALE_STEPS=${SCALE_STEPS:-5 20 80}
export REPEATS

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

if [ "${BUILD:-1}" = 1 ]; then
  # The hand-written baseline alone, so serde_json's preserve_order stays off (bench/raw/Cargo.toml).
  cargo build --release -p rmcp-sampling-bench-raw --bin bench_raw --manifest-path "$root/Cargo.toml" >&2
  cargo build --release --example bench_server -p rmcp-sampling-examples ${OURS_FEATURES---no-default-features} \
    --manifest-path "$root/Cargo.toml" >&2
fi
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
ours=${OURS:-$target/release/examples/bench_server}
raw=${RAW:-$target/release/bench_raw}
# Peak RSS counts the binary's pages as the page cache holds them: a file just written (a fresh
# build) is cached in larger blocks than one read back, and maps ~700 KiB more (BENCHMARKS.md,
# "Peak RSS of the typed loop"). Both binaries start out of the cache, so they are read alike.
sync
"$py" -c 'import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$raw" "$ours"

cd "$work"
mkdir -p results
{
  echo "start: $(date -u +%FT%TZ) loadavg: $(cat /proc/loadavg)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
} >results/host.txt
servers=("raw=$raw" "ours=$ours")
if [ "$FASTMCP" = 1 ]; then
  # Byte-compile the FastMCP server once, as run_fastmcp.sh does.
  "$py" -c 'import fastmcp_server' >/dev/null 2>&1 || true
  servers=("fastmcp=$py fastmcp_server.py" "${servers[@]}")
fi
PY=$py ./run_cases.sh "${servers[@]}" >&2

if [ "$SCALING" = 1 ]; then
  # loop_text at several history lengths, ~1000 timed steps per run, raw and ours interleaved.
  : >results/scale.raw.jsonl
  : >results/scale.ours.jsonl
  for rep in $(seq 1 "$REPEATS"); do
    for s in $SCALE_STEPS; do
      calls=$(( (1000 + s - 1) / s ))
      for spec in "raw=$raw" "ours=$ours"; do
        label=${spec%%=*}
        echo "[$label] scaling repeat $rep/$REPEATS: loop_text --steps $s --calls $calls" >&2
        "$py" driver.py --server-cmd "${spec#*=}" --warmup 3 --case loop_text --steps "$s" \
          --calls "$calls" 2>>"results/scale.$label.stderr.log" >>"results/scale.$label.jsonl"
      done
    done
  done
fi
echo "end: $(date -u +%FT%TZ) loadavg: $(cat /proc/loadavg)" >>results/host.txt

cat results/host.txt
"$py" "$root/bench/report.py" results
echo "results: $work/results" >&2
