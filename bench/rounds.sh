#!/usr/bin/env bash
# The multi round-trip benchmark (protocol 2026-07-28): instructions per round as a function of
# the round's index, which the host's load does not change, for the hand-written round-trip
# loop (`loop_rounds` of bench/raw, raw rmcp sealing its history with rmcp's RequestStateCodec)
# and ours (`loop_rounds` of examples/bench_server.rs, Sampler::reply replaying its journal).
#
# Each server runs under valgrind's callgrind, driven by bench/raw/bench_rounds.rs (rmcp's own
# client, a scripted LLM) through loops of S add steps (S + 2 rounds: round 0 asks, rounds
# 1..S answer a tool call and ask again, round S + 1 answers) at two call counts; the
# difference is the instructions of one loop, L(S), start-up and warm-up cancelling out. A
# least-squares fit of L(S) = a (S + 2) + b (S + 1)(S + 2) / 2 over the S values gives the cost
# of round r as a + b r: b is the slope (what each earlier round adds to every later one: the
# history re-read, replayed, re-sent and sealed again). Then, without valgrind, the server's
# CPU time per round (schedstat) at S=20, servers interleaved, REPEATS times.
#
#   bench/rounds.sh                             # raw and ours, STEPS="4 8 16 32", LOW=1 HIGH=3
#   SERVERS="raw=/path/a ours=/path/b old=/path/c" bench/rounds.sh   # other builds (no build)
#   OURS_FEATURES= bench/rounds.sh              # ours with its default features (preserve_order)
#   CPU=0 bench/rounds.sh                       # instructions only; REPEATS=5 CPU_CALLS=20
#   RELR=0 bench/rounds.sh                      # both linked without packed relocations (bench/link.sh)
#   KEEP=1 bench/rounds.sh                      # keep the callgrind.out files
# Needs valgrind and python3 (for the fit).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/link.sh
source "$root/bench/link.sh"
STEPS=${STEPS:-4 8 16 32}
LOW=${LOW:-1}
HIGH=${HIGH:-3}
CPU=${CPU:-1}
REPEATS=${REPEATS:-5}
CPU_STEPS=${CPU_STEPS:-20}
CPU_CALLS=${CPU_CALLS:-20}
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
# The hand-written baseline and the driver alone, so serde_json's preserve_order stays off.
cargo build --release -p rmcp-sampling-bench-raw --manifest-path "$root/Cargo.toml" >&2
driver=$target/release/bench_rounds
if [ -z "${SERVERS:-}" ]; then
  cargo build --release --example bench_server -p rmcp-sampling-examples \
    ${OURS_FEATURES---no-default-features} --manifest-path "$root/Cargo.toml" >&2
  SERVERS="raw=$target/release/bench_raw ours=$target/release/examples/bench_server"
fi
work=$(mktemp -d)
echo "start: $(date -u +%FT%TZ) loadavg: $(cat /proc/loadavg)" >"$work/host.txt"

: >"$work/callgrind.txt"
for spec in $SERVERS; do
  label=${spec%%=*}
  server=${spec#*=}
  for steps in $STEPS; do
    for calls in "$LOW" "$HIGH"; do
      out=$work/callgrind.$label.$steps.$calls.out
      echo "[$label] loop_rounds S=$steps R=$calls under callgrind" >&2
      "$driver" --server-cmd "valgrind --tool=callgrind --callgrind-out-file=$out $server" \
        --steps "$steps" --calls "$calls" --warmup 1 >/dev/null 2>>"$work/driver.log"
      ir=$(grep -m1 '^summary:\|^totals:' "$out" | awk '{print $2}')
      # SHA-256 runs on SHA-NI natively, but valgrind hides SHA-NI, so under callgrind sha2
      # takes its software path (~30 instructions a byte): counted apart, see below.
      sha=$(callgrind_annotate --threshold=100 "$out" 2>/dev/null |
        awk '/sha256::compress256/ {gsub(",", "", $1); s += $1} END {print s + 0}')
      echo "$label $steps $calls $ir $sha" >>"$work/callgrind.txt"
    done
  done
done

: >"$work/cpu.jsonl"
if [ "$CPU" = 1 ]; then
  for rep in $(seq 1 "$REPEATS"); do
    for spec in $SERVERS; do
      label=${spec%%=*}
      echo "[$label] CPU repeat $rep/$REPEATS: loop_rounds S=$CPU_STEPS" >&2
      "$driver" --server-cmd "${spec#*=}" --steps "$CPU_STEPS" --calls "$CPU_CALLS" --warmup 2 |
        python3 -c "import json, sys; d = json.load(sys.stdin); d.update(label='$label', rep=$rep); print(json.dumps(d))" \
          >>"$work/cpu.jsonl"
    done
  done
fi
echo "end: $(date -u +%FT%TZ) loadavg: $(cat /proc/loadavg)" >>"$work/host.txt"
cat "$work/host.txt"

python3 - "$work/callgrind.txt" "$work/cpu.jsonl" <<'PY'
import json, sys
from collections import defaultdict
from statistics import median

ir = defaultdict(dict)
sha = defaultdict(dict)
for line in open(sys.argv[1]):
    label, steps, calls, n, s = line.split()
    ir[label][(int(steps), int(calls))] = int(n)
    sha[label][(int(steps), int(calls))] = int(s)


def per_loop(d):
    """Instructions of one loop per S: the difference of the two call counts."""
    loops = {}
    for s in sorted({s for s, _ in d}):
        calls = sorted(c for t, c in d if t == s)
        lo, hi = calls[0], calls[-1]
        loops[s] = (d[(s, hi)] - d[(s, lo)]) / (hi - lo)
    return loops


def fit(loops):
    """Least squares for L(S) = a x + b y, x = S + 2 (rounds), y = (S + 1)(S + 2) / 2 (the sum
    of the round indices r = 0..S+1): round r costs a + b r. Also the worst relative miss."""
    sxx = sxy = syy = sxl = syl = 0.0
    for s, total in loops.items():
        x, y = s + 2, (s + 1) * (s + 2) / 2
        sxx += x * x; sxy += x * y; syy += y * y; sxl += x * total; syl += y * total
    det = sxx * syy - sxy * sxy
    if len(loops) < 2 or det == 0:
        return None
    a = (sxl * syy - syl * sxy) / det
    b = (syl * sxx - sxl * sxy) / det
    worst = max(abs(a * (s + 2) + b * (s + 1) * (s + 2) / 2 - t) / t for s, t in loops.items())
    return a, b, worst


both = {}
for label in ir:
    total = per_loop(ir[label])
    nosha = {s: t - v for (s, t), v in zip(total.items(), per_loop(sha[label]).values())}
    both[label] = (total, nosha)
print("| server | S | instructions per loop | per round (mean) | / raw's | without SHA-256 | / raw's |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for label, (total, nosha) in both.items():
    for s in total:
        ratio = ratio2 = ""
        if "raw" in both and s in both["raw"][0]:
            ratio = f"{total[s] / both['raw'][0][s]:.2f}x"
            ratio2 = f"{nosha[s] / both['raw'][1][s]:.2f}x"
        print(f"| {label} | {s} | {total[s]:,.0f} | {total[s] / (s + 2):,.0f} | {ratio} "
              f"| {nosha[s]:,.0f} | {ratio2} |")
fits = {label: (fit(total), fit(nosha)) for label, (total, nosha) in both.items()}
if all(f[0] for f in fits.values()):
    # A fit over 5 % off means the cost of a round is not linear in its index (superlinear:
    # work per replayed turn that grows with the history).
    print("\nround r costs a + b r instructions (least squares over the S values):")
    print("| server | a | b (slope) | fit within | b / raw's | a, without SHA-256 | b, without SHA-256 | b / raw's, without SHA-256 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, ((a, b, w), (a2, b2, w2)) in fits.items():
        rb = fits["raw"][0][1] if "raw" in fits else b
        rb2 = fits["raw"][1][1] if "raw" in fits else b2
        print(f"| {label} | {a:,.0f} | {b:,.0f} | {w:.1%} | {b / rb:.2f}x | {a2:,.0f} | {b2:,.0f} "
              f"| {b2 / rb2:.2f}x |")

rows = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
if rows:
    per = defaultdict(dict)
    for row in rows:
        per[row["rep"]][row["label"]] = row["server_cpu_sched_per_round_us"]
    labels = list(per[next(iter(per))])
    print(f"\nserver CPU per round (schedstat), S={rows[0]['steps']}, median of {len(per)} repeats:")
    print("| server | CPU µs/round | / raw (per repeat) |")
    print("| --- | --- | --- |")
    for label in labels:
        values = [per[r][label] for r in per if label in per[r]]
        line = f"| {label} | {median(values):.1f} |"
        if "raw" in labels:
            ratios = [per[r][label] / per[r]["raw"] for r in per if label in per[r]]
            line += f" {median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}] |"
        print(line)
PY
echo "outputs: $work" >&2
if [ "${KEEP:-0}" != 1 ]; then rm -f "$work"/callgrind.*.out; fi
