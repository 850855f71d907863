"""Snakemake's own cost: a dry run on a completed results tree, and the overhead per job of a demo run."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from common import Row

REPO = Path(__file__).resolve().parents[1]
FAST_DEMO = {
    "dataset": {"demo_images": 120},
    "encoder": {"tiny": {"hidden_size": 32, "num_layers": 1, "num_heads": 2}, "num_workers": 0},
    "train": {"max_epochs": 2},
}


def make_workdir(folder):
    for name in ["Snakefile", "workflow", "scripts", "config", "profiles", "envs"]:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy(source, folder / name)
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    for section, values in FAST_DEMO.items():
        for key, value in values.items():
            if isinstance(value, dict):
                config[section][key].update(value)
            else:
                config[section][key] = value
    (folder / "config/bench.yaml").write_text(yaml.safe_dump(config))
    return folder / "config/bench.yaml"


def snakemake(folder, config, *extra):
    command = [sys.executable, "-m", "snakemake", "--configfile", str(config), "--cores", "2", *extra]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    return time.perf_counter() - started


def import_seconds(module):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - started


def run(folder):
    config = make_workdir(folder)
    total = snakemake(folder, config)
    jobs = pd.read_csv(folder / "results/demo/benchmarks.csv")
    dry_runs = [snakemake(folder, config, "--dry-run") for _ in range(3)]
    # Jobs without a benchmark record: the two generators, provenance, the table itself and `all`.
    n_jobs = len(jobs) + 5
    section = "5. workflow overhead (demo, 120 images, 5 folds x 2 epochs, --cores 2)"
    return [
        Row(section, "snakemake --dry-run on the completed tree", min(dry_runs), "s", "target: under 3 s"),
        Row(section, "whole demo run, wall time", total, "s", f"{n_jobs} jobs"),
        Row(section, "sum of job wall times (benchmark records)", jobs["wall_seconds"].sum(), "s",
            f"{len(jobs)} recorded jobs"),
        Row(section, "Snakemake time outside recorded jobs, per job",
            (total - jobs["wall_seconds"].sum() / 2) / n_jobs, "s",
            "wall time minus job time (2 jobs run at once), divided by jobs"),
        Row(section, "Python start-up of a training job (import mmhash.fold_training)",
            import_seconds("mmhash.fold_training"), "s"),
    ]
