"""Run every benchmark and print one table; record the result in benchmarks/RESULTS.md by hand.

    python benchmarks/run_all.py                 # CPU, about 5 minutes on 2 cores
    python benchmarks/run_all.py --device cuda   # the same measurements on a GPU

Each section runs in its own temporary folder. See each bench_*.py for what
is measured and how.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

import bench_cached_vs_reencode  # noqa: E402
import bench_extraction  # noqa: E402
import bench_head  # noqa: E402
import bench_scale  # noqa: E402
import bench_workflow  # noqa: E402
from mmhash.provenance import cpu_model  # noqa: E402

SECTIONS = ["reencode", "extraction", "head", "scale", "workflow"]


def machine(device):
    gpu = torch.cuda.get_device_name(0) if device.type == "cuda" else "none"
    return (f"{cpu_model()}, {os.cpu_count()} CPU threads, GPU: {gpu}; torch {torch.__version__} "
            f"({torch.get_num_threads()} intra-op threads), Python {platform.python_version()}")


def print_table(rows):
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"\n{section}\n| measurement | value | unit | note |\n|---|---:|---|---|")
        value = f"{row.value:,.0f}" if abs(row.value) >= 100 else f"{row.value:,.3g}"
        print(f"| {row.name} | {value} | {row.unit} | {row.note} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="torch device to measure on (default: cuda when available, else cpu)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="sections to run")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of the cached-versus-re-encoding comparison")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()
    device = torch.device(args.device)

    print(f"machine: {machine(device)}")
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mmhash-bench-") as tmp:
        tmp = Path(tmp)
        runs = {
            "reencode": lambda: bench_cached_vs_reencode.run(tmp / "reencode", device, epochs=args.epochs),
            "extraction": lambda: bench_extraction.run(tmp / "extraction", device),
            "head": lambda: bench_head.run(device),
            "scale": lambda: bench_scale.run(tmp / "scale", device),
            "workflow": lambda: bench_workflow.run(tmp / "workflow"),
        }
        for name in args.only:
            (tmp / name).mkdir()
            section_rows = runs[name]()
            print_table(section_rows)
            rows += section_rows
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(device), "rows": [asdict(r) for r in rows]}, indent=2))


if __name__ == "__main__":
    main()
