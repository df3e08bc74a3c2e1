#!/usr/bin/env python3
"""Per-kernel GPU times of one forward pass, from Nsight Compute's CSV.

Run the library's eager profile path under ncu with only the duration
metric, then group the kernels:

  ncu --clock-control none --metrics gpu__time_duration.sum --csv \
      swin-run OUT --profile --batch 64 --iterations 1 > times.csv
  python python/kernel_times.py times.csv --passes 2

`--profile --iterations 1` runs the forward twice (a warm-up, then the timed
pass); `--passes 2` keeps the last half of the launches. ncu serialises
kernels, so each time is the kernel alone, without launch gaps.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict


def short_name(name: str) -> str:
    """'void swinrt::window_attention_mma<__half, 49, 32, 3, ...>(...)' ->
    'window_attention_mma<49, 32, 3, ...>'; cuBLASLt kernels keep their stem."""
    name = re.sub(r"^void\s+", "", name)
    name = re.sub(r"\(.*\)$", "", name)
    name = name.replace("swinrt::", "").replace("__half, ", "").replace(
        "__nv_bfloat16, ", "").replace("float, ", "")
    if "nvjet" in name or "gemm" in name.lower() or "cutlass" in name:
        return "GEMM " + name.split("<")[0][:60]
    return name[:90]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--passes", type=int, default=1,
                        help="forward passes in the file; the last one is reported")
    parser.add_argument("--list", action="store_true", help="also list every launch in order")
    args = parser.parse_args()
    rows = []
    with open(args.csv, newline="") as f:
        lines = [line for line in f if line.startswith('"')]
    for row in csv.DictReader(lines):
        if row.get("Metric Name") != "gpu__time_duration.sum":
            continue
        value = float(row["Metric Value"].replace(",", ""))
        unit = row.get("Metric Unit", "nsecond")
        ns = value * {"nsecond": 1, "usecond": 1e3, "msecond": 1e6}.get(unit, 1)
        rows.append((row["Kernel Name"], ns))
    if not rows:
        print("no kernel durations in the file", file=sys.stderr)
        return 1
    rows = rows[len(rows) - len(rows) // args.passes:]
    total = sum(ns for _, ns in rows)
    groups = defaultdict(lambda: [0, 0.0])
    for name, ns in rows:
        g = groups[short_name(name)]
        g[0] += 1
        g[1] += ns
    if args.list:
        for i, (name, ns) in enumerate(rows):
            print(f"{i:4d} {ns / 1e3:9.1f} us  {short_name(name)}")
    print(f"{len(rows)} kernels, {total / 1e6:.3f} ms of kernel time")
    for name, (count, ns) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
        print(f"{ns / 1e6:8.3f} ms {ns / total * 100:5.1f}% {count:4d}x  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
