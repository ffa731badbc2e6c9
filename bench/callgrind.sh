#!/usr/bin/env bash
# Instructions per step, which the host's load does not change: runs the release bench servers
# (raw = bench/raw, built alone; ours = examples/bench_server.rs) under valgrind's callgrind
# through the shared harness's driver, at two call counts, and prints the instructions per
# sampling step from the difference (start-up and warm-up cancel out) and ours/raw.
#
#   bench/callgrind.sh                  # loop_text S=20, loop_struct S=5, loop_parallel W=8; LOW=4 HIGH=16 calls
#   BUILD=0 RAW=/path OURS=/path bench/callgrind.sh    # other builds of the two servers, no cargo build
#   RELR=0 bench/callgrind.sh           # both linked without packed relocations (bench/link.sh)
#   OURS_FEATURES= bench/callgrind.sh   # ours with its default features (serde_json preserve_order);
#                                       # by default ours is built with --no-default-features, as raw
#   KEEP=1 bench/callgrind.sh           # keep the callgrind.out files (callgrind_annotate them)
# Needs valgrind, the venv of bench/run.sh (the repository's .venv) and BENCH_SRC as there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/link.sh
source "$root/bench/link.sh"
src=${BENCH_SRC:-$root/../shared/bench}
py=${PY:-$root/.venv/bin/python}
LOW=${LOW:-4}
HIGH=${HIGH:-16}
if [ "${BUILD:-1}" = 1 ]; then
  # The hand-written baseline alone, so serde_json's preserve_order stays off (bench/raw/Cargo.toml).
  cargo build --release -p rmcp-sampling-bench-raw --bin bench_raw --manifest-path "$root/Cargo.toml" >&2
  cargo build --release --example bench_server -p rmcp-sampling-examples ${OURS_FEATURES---no-default-features} \
    --manifest-path "$root/Cargo.toml" >&2
fi
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
work=$(mktemp -d)
cp -r "$src/." "$work"
chmod -R u+w "$work"
cd "$work"

: >callgrind.txt
# loop_parallel: one response of 8 nap(0) calls, then the answer; "steps" = 1 (per call).
for case in "loop_text 20" "loop_struct 5" "loop_parallel 1"; do
  read -r name steps <<<"$case"
  for label in raw ours; do
    server=${RAW:-$target/release/bench_raw}
    [ "$label" = ours ] && server=${OURS:-$target/release/examples/bench_server}
    for calls in "$LOW" "$HIGH"; do
      out=$work/callgrind.$label.$name.$calls.out
      echo "[$label] $name S=$steps R=$calls under callgrind" >&2
      args=(--steps "$steps")
      [ "$name" = loop_parallel ] && args=(--width 8 --sleep-ms 0)
      "$py" driver.py --server-cmd "valgrind --tool=callgrind --callgrind-out-file=$out $server" \
        --case "$name" "${args[@]}" --calls "$calls" --warmup 1 >/dev/null 2>>driver.log
      ir=$(grep -m1 '^summary:\|^totals:' "$out" | awk '{print $2}')
      echo "$label $name $steps $calls $ir" >>callgrind.txt
    done
  done
done

"$py" - callgrind.txt <<'PY'
import sys
from collections import defaultdict
ir = defaultdict(dict)
for line in open(sys.argv[1]):
    label, case, steps, calls, n = line.split()
    ir[(case, int(steps))][(label, int(calls))] = int(n)
print("| case | raw instructions/step | ours instructions/step | ours/raw |  (loop_parallel: per call)")
print("| --- | --- | --- | --- |")
for (case, steps), d in ir.items():
    calls = sorted({c for _, c in d})
    lo, hi = calls[0], calls[-1]
    per = {l: (d[(l, hi)] - d[(l, lo)]) / ((hi - lo) * steps) for l in ("raw", "ours")}
    print(f"| {case} S={steps} | {per['raw']:,.0f} | {per['ours']:,.0f} | {per['ours'] / per['raw']:.2f}x |")
PY
echo "callgrind outputs: $work" >&2
if [ "${KEEP:-0}" != 1 ]; then rm -f "$work"/callgrind.*.out; fi
