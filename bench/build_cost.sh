#!/usr/bin/env bash
# Build cost of the macros: generates two crates in a scratch workspace, one with 100
# `#[sampling_tool]` functions and 20 `#[structured_result]` types, one with the same written by
# hand against the runtime's API (`SamplingTool::from_fn` and an argument struct per tool; the
# serde/schemars derives per type), and times `cargo build` (dev profile) of each: clean (the
# crate only; its dependencies are built once beforehand) and incremental (one function body
# edited). Runs are interleaved; it prints the medians of wall and CPU time (user + sys of cargo
# and rustc) and the ratios macros / by hand.
#
#   bench/build_cost.sh               # REPEATS=5 TOOLS=100 TYPES=20
#   KEEP=1 bench/build_cost.sh        # keep the scratch workspace (its path is printed)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=${REPEATS:-5}
TOOLS=${TOOLS:-100}
TYPES=${TYPES:-20}
work=$(mktemp -d)
echo "scratch workspace: $work" >&2

python3 - "$work" "$root" "$TOOLS" "$TYPES" <<'PY'
import os, sys
work, root, tools, types = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
open(f"{work}/Cargo.toml", "w").write(f'''[workspace]
resolver = "3"
members = ["with_macros", "by_hand"]

[workspace.dependencies]
rmcp-sampling = {{ path = "{root}/runtime" }}
serde = {{ version = "1", features = ["derive"] }}
schemars = {{ version = "1.2", features = ["preserve_order"] }}
serde_json = {{ version = "1", features = ["preserve_order"] }}
''')
manifest = '''[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
rmcp-sampling.workspace = true
{extra}'''
for name, extra in [("with_macros", ""), ("by_hand", "serde.workspace = true\nschemars.workspace = true\n")]:
    os.makedirs(f"{work}/{name}/src", exist_ok=True)
    open(f"{work}/{name}/Cargo.toml", "w").write(manifest.format(name=name, extra=extra))

m = ["//! Generated: {} tools and {} typed results through the macros.".format(tools, types),
     "#![allow(missing_docs)]", "use rmcp_sampling::{SamplingTool, StructuredResult, ToolError, sampling_tool, structured_result};", ""]
h = ["//! Generated: the same tools and typed results written by hand against the runtime's API.",
     "#![allow(missing_docs)]", "use rmcp_sampling::{SamplingTool, StructuredResult, ToolError};", ""]
for i in range(tools):
    body = f"a.checked_add(b).map(|s| s + {i}).ok_or_else(|| ToolError::new(\"overflow\"))"
    m += [f"/// Add two integers (tool {i}).", "#[sampling_tool]",
          f"pub fn add_{i}(a: i64, b: i64) -> Result<i64, ToolError> {{ {body} }}", ""]
    h += ["#[derive(serde::Deserialize, schemars::JsonSchema)]",
          f"pub struct Add{i}Args {{ pub a: i64, pub b: i64 }}",
          f"/// Add two integers (tool {i}).",
          f"pub fn add_{i}(a: i64, b: i64) -> Result<i64, ToolError> {{ {body} }}",
          f"pub fn add_{i}_tool() -> SamplingTool<'static> {{",
          f"    SamplingTool::from_fn(\"add_{i}\", |args: Add{i}Args| async move {{ add_{i}(args.a, args.b) }})",
          f"        .with_description(\"Add two integers (tool {i}).\")", "}", ""]
for j in range(types):
    fields = f"pub label: String, pub score: f64, pub tags: Vec<String>, pub count_{j}: Option<u32>"
    m += [f"/// Typed result {j}.", "#[structured_result]", f"pub struct Result{j} {{ {fields} }}", ""]
    h += [f"/// Typed result {j}.", "#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]",
          f"pub struct Result{j} {{ {fields} }}", ""]
use = ["/// Every tool, and every result's final_response tool (so that all of it is compiled).",
       "pub fn everything() -> (Vec<SamplingTool<'static>>, Vec<rmcp_sampling::rmcp::model::Tool>) {",
       "    let tools = vec![" + ", ".join(f"add_{i}_tool()" for i in range(tools)) + "];",
       "    let results = vec![" + ", ".join(f"Result{j}::final_response_tool()" for j in range(types)) + "];",
       "    (tools, results)", "}", ""]
open(f"{work}/with_macros/src/lib.rs", "w").write("\n".join(m + use))
open(f"{work}/by_hand/src/lib.rs", "w").write("\n".join(h + use))
PY

cp "$root/Cargo.lock" "$work/Cargo.lock"
cd "$work"
echo "building the dependencies once..." >&2
cargo build -q -p with_macros -p by_hand 2>&1 | tail -3 >&2

# One timed build; prints "wall_s cpu_s" (cpu = user + sys of cargo and everything it ran).
timed() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f}")
PY
}

: >results.txt
for rep in $(seq 1 "$REPEATS"); do
  for crate in by_hand with_macros; do
    cargo clean -q -p "$crate"
    echo "$crate clean $(timed cargo build -q -p "$crate")" >>results.txt
    # Incremental: one function body changes.
    sed -i "s/s + 0)/s + 0 + $rep)/" "$crate/src/lib.rs"
    echo "$crate incremental $(timed cargo build -q -p "$crate")" >>results.txt
  done
  echo "repeat $rep/$REPEATS done (loadavg $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

python3 - results.txt "$TOOLS" "$TYPES" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    crate, kind, wall, cpu = line.split()
    runs[(crate, kind)].append((float(wall), float(cpu)))
print(f"\n{sys.argv[2]} tools + {sys.argv[3]} typed results, dev profile, {len(runs[('by_hand', 'clean')])} interleaved runs; medians")
print("| build | by hand wall / CPU s | macros wall / CPU s | ratio wall | ratio CPU (per-run median) |")
print("| --- | --- | --- | --- | --- |")
for kind in ("clean", "incremental"):
    h, m = runs[("by_hand", kind)], runs[("with_macros", kind)]
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    ratios = [b[1] / a[1] for a, b in zip(h, m)]
    print(f"| {kind} | {med(h,0):.2f} / {med(h,1):.2f} | {med(m,0):.2f} / {med(m,1):.2f} | "
          f"{med(m,0) / med(h,0):.2f}x | {statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}] |")
PY
echo "loadavg at end: $(cat /proc/loadavg)"
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
