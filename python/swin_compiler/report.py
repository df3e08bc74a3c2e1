"""Turn `python -m swin_compiler.bench` results into a markdown table and a chart.

    python -m swin_compiler.report swin-bench.json [more.json ...] --out-dir docs/

writes docs/benchmark-report.md (per model: ms, images/s, the ratio to each
baseline and the share of the fp16 GEMM peak, per batch) and, with
matplotlib installed, docs/benchmark-chart.png (latency and throughput
against batch, ours and the baselines).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BASELINE_NAMES = {
    "eager": "eager fp16",
    "graph": "eager fp16 + CUDA graph",
    "reduce-overhead": "torch.compile reduce-overhead",
    "max-autotune": "torch.compile max-autotune",
}


def _batches(entry: dict) -> list[str]:
    keys = {b for times in entry["ours"].values() for b in times}
    return sorted(keys, key=int)


def merge(runs: list[dict]) -> dict:
    """Several bench runs of one GPU (say one per model) as one result; the
    header fields come from the first, and per-model fields from each run."""
    merged = dict(runs[0], models={})
    for run in runs:
        if run["gpu"] != runs[0]["gpu"]:
            raise ValueError(f"runs from two GPUs ({runs[0]['gpu']}, {run['gpu']}) do not "
                             "go in one table")
        for name, entry in run["models"].items():
            merged["models"][name] = dict(entry, fp16_gemm_peak_tflops=run.get(
                "fp16_gemm_peak_tflops"))
    return merged


def markdown(results: dict, source: str) -> str:
    """The report of one bench run."""
    lines = [f"## {results['date']}, {results['gpu']}, PyTorch {results['torch']}", "",
             f"From {source} (`python -m swin_compiler.bench`, target {results['arch']}, "
             f"GEMMs {'autotuned' if results.get('autotuned') else 'on the heuristic choice'}"
             "; the share of peak uses the fp16 GEMM peak measured in the same run).", ""]
    for name, entry in results["models"].items():
        peak = entry.get("fp16_gemm_peak_tflops", results.get("fp16_gemm_peak_tflops"))
        precisions = list(entry["ours"])
        modes = list(entry.get("baselines", {}).get("ms", {}))
        lines += [f"### {name} (timm `{entry['timm_model']}`, {entry['image_size']}x"
                  f"{entry['image_size']})", ""]
        if peak:
            lines += [f"fp16 GEMM peak in this run: {peak:.0f} TFLOP/s.", ""]
        header = ["batch"] + [f"ours {p}" for p in precisions] + \
                 [BASELINE_NAMES.get(m, m) for m in modes]
        if modes:
            header.append(f"ours {precisions[0]} vs " + ", ".join(modes))
        if peak:
            header.append("share of fp16 peak")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for batch in _batches(entry):
            first = entry["ours"][precisions[0]].get(batch)
            row = [batch]
            for p in precisions:
                ms = entry["ours"][p].get(batch)
                row.append(f"{ms:.3f} ms ({int(batch) / ms * 1e3:.0f} img/s)" if ms else "")
            for m in modes:
                ms = entry["baselines"]["ms"][m].get(batch)
                row.append(f"{ms:.3f} ms" if ms else "")
            if modes:
                row.append(", ".join(
                    f"{entry['baselines']['ms'][m][batch] / first:.2f}x"
                    for m in modes if first and batch in entry["baselines"]["ms"][m]))
            if peak and first:
                tflops = entry["flops_per_image"] * int(batch) / (first * 1e-3) / 1e12
                row.append(f"{tflops / peak * 100:.1f}%")
            lines.append("| " + " | ".join(str(c) for c in row) + " |")
        compile_s = ", ".join(f"{p} {s:.1f} s" for p, s in entry["compile_s"].items())
        lines += ["", f"swin-compile, nvcc included: {compile_s}."]
        torch_compile = entry.get("baselines", {}).get("compile_s", {})
        if torch_compile:
            lines.append("torch.compile, first call per batch: " + ", ".join(
                f"{k} {v:.1f} s" for k, v in torch_compile.items()) + ".")
        lines.append("")
    return "\n".join(lines)


def chart(results: dict, path: Path) -> None:
    """Latency and throughput against batch, one row of two panels per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(results["models"].items())
    figure, axes = plt.subplots(len(models), 2, figsize=(11, 3.6 * len(models)), squeeze=False)
    for row, (name, entry) in enumerate(models):
        series = {f"ours {p}": t for p, t in entry["ours"].items()}
        series.update({BASELINE_NAMES.get(m, m): t
                       for m, t in entry.get("baselines", {}).get("ms", {}).items()})
        for label, times in series.items():
            batches = sorted(times, key=int)
            xs = [int(b) for b in batches]
            style = "-o" if label.startswith("ours") else "--s"
            axes[row][0].plot(xs, [times[b] for b in batches], style, label=label)
            axes[row][1].plot(xs, [int(b) / times[b] * 1e3 for b in batches], style, label=label)
        for col, ylabel in enumerate(("ms per batch (lower is better)",
                                      "images/s (higher is better)")):
            ax = axes[row][col]
            ax.set_xscale("log", base=2)
            ticks = sorted({int(b) for t in series.values() for b in t})
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_yscale("log")
            ax.set_xlabel("batch")
            ax.set_ylabel(ylabel)
            ax.set_title(f"{name}, {results['gpu']}")
            ax.grid(True, which="both", alpha=0.3)
        axes[row][0].legend(fontsize=8)
    figure.suptitle(f"swin-compiler against PyTorch, {results['date']}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m swin_compiler.report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+",
                        help="JSON written by swin_compiler.bench (several: one table each "
                             "model, same GPU)")
    parser.add_argument("--out-dir", type=Path, default=Path("docs"))
    parser.add_argument("--name", default="benchmark",
                        help="file stem: NAME-report.md and NAME-chart.png")
    parser.add_argument("--no-chart", action="store_true")
    args = parser.parse_args(argv)
    try:
        results = merge([json.loads(path.read_text()) for path in args.results])
        text = markdown(results, ", ".join(f"`{path.name}`" for path in args.results))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"swin_compiler.report: {' '.join(map(str, args.results))}: not bench results "
              f"of one GPU ({error!r})", file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    report = args.out_dir / f"{args.name}-report.md"
    report.write_text("# Benchmark report\n\n" + text)
    print(f"wrote {report}")
    if not args.no_chart:
        try:
            chart(results, args.out_dir / f"{args.name}-chart.png")
            print(f"wrote {args.out_dir / (args.name + '-chart.png')}")
        except ImportError:
            print("swin_compiler.report: matplotlib is not installed: no chart "
                  "(pip install matplotlib, or --no-chart)", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
