#!/usr/bin/env python3
"""Prints the side-by-side figures of bench/run.sh from its results directory.

usage: bench/report.py RESULTS_DIR

Reads <label>.runs.jsonl (fastmcp, raw, ours: one driver run per line, interleaved by repeat) and
scale.<label>.jsonl. Every ratio is taken within one repeat (the two runs were back to back) and
the median of those per-repeat ratios is printed, with their min and max.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections import defaultdict


def load(path: str) -> dict[tuple, list[dict]]:
    """Runs grouped by (case, steps), in file order (= repeat order)."""
    runs: dict[tuple, list[dict]] = defaultdict(list)
    if not os.path.exists(path):
        return runs
    for line in open(path):
        if line.strip():
            run = json.loads(line)
            runs[(run["case"], run["params"].get("steps"))].append(run)
    return runs


def overhead_ms(run: dict) -> float:
    return run["per_call_ms"]["median"] - run["params"]["sleep_ms"]


METRICS = [
    ("server CPU/step us", lambda r: r.get("server_cpu_sched_per_step_us")),
    ("wall/step us", lambda r: r["per_step_us"]),
    ("peak RSS KiB", lambda r: r.get("server_peak_rss_kb")),
    ("start-up ms", lambda r: r["startup_to_initialized_s"] * 1e3),
]


def fmt(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}")


def ratio_stats(num: list[dict], den: list[dict], metric) -> str:
    ratios = [metric(a) / metric(b) for a, b in zip(num, den) if metric(a) and metric(b)]
    if not ratios:
        return "n/a"
    return f"{statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"


def table(groups: dict[str, dict[tuple, list[dict]]], title: str) -> None:
    print(f"\n## {title}\n")
    labels = [l for l in ("fastmcp", "raw", "ours") if groups.get(l)]
    keys = sorted({k for l in labels for k in groups[l]}, key=lambda k: (k[0], k[1] or 0))
    head = " | ".join(f"{l} (median)" for l in labels)
    print(f"| case | metric | {head} | ours/raw per repeat | ours/fastmcp per repeat |")
    print("|" + " --- |" * (len(labels) + 4))
    for key in keys:
        case = key[0] + (f" S={key[1]}" if key[1] else "")
        metrics = list(METRICS)
        if key[0] == "loop_parallel":
            metrics.insert(2, ("overhead above sleep ms", overhead_ms))
            metrics[0] = ("server CPU/call us", metrics[0][1])
            metrics[1] = ("wall/call us", metrics[1][1])
        for name, metric in metrics:
            cells = []
            for l in labels:
                vals = [metric(r) for r in groups[l].get(key, []) if metric(r) is not None]
                cells.append(fmt(statistics.median(vals)) if vals else "n/a")
            ours = groups.get("ours", {}).get(key, [])
            raw = groups.get("raw", {}).get(key, [])
            fast = groups.get("fastmcp", {}).get(key, [])
            print(
                f"| {case} | {name} | " + " | ".join(cells)
                + f" | {ratio_stats(ours, raw, metric)} | {ratio_stats(ours, fast, metric) if fast else 'n/a'} |"
            )
    steal = [r.get("host_steal_pct") for l in labels for k in groups[l] for r in groups[l][k]]
    steal = [s for s in steal if s is not None]
    runs = max((len(v) for l in labels for v in groups[l].values()), default=0)
    if steal:
        print(f"\n{runs} runs per server and case; hypervisor steal median {statistics.median(steal)} % (max {max(steal)} %)")


def main() -> int:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    table({l: load(f"{d}/{l}.runs.jsonl") for l in ("fastmcp", "raw", "ours")}, "Contract cases")
    scale = {l: load(f"{d}/scale.{l}.jsonl") for l in ("raw", "ours")}
    if any(scale.values()):
        table(scale, "Scaling (loop_text, history grows with S)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
