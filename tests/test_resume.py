"""A run killed with SIGKILL resumes with `snakemake --unlock` and a plain `snakemake`, to the same results."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import FAST, make_workdir, run_snakemake, snakemake_command

RESULTS = "results/demo"


def start(workdir, config):
    # A new session, so the kill reaches Snakemake and the job it runs.
    return subprocess.Popen(snakemake_command(config, "--cores", "1"), cwd=workdir, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(process, condition, description, timeout=300):
    """SIGKILL the process group as soon as ``condition()`` is true; return what it returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return result
        if process.poll() is not None:
            pytest.fail(f"the run ended before {description}")
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"no {description} within {timeout} s")


def log_contains(path, text):
    return path.is_file() and text in path.read_text(errors="replace")


def fold_in_training(workdir, min_finished=2):
    """The fold whose training has passed epoch 1 but has no weights yet, once ``min_finished`` folds are done."""
    folds = workdir / RESULTS / "folds"
    finished = [f for f in range(5) if (folds / f"fold_{f}/model.safetensors").exists()]
    if len(finished) < min_finished:
        return None
    for fold in set(range(5)) - set(finished):
        if log_contains(workdir / f"logs/demo/train_fold/fold_{fold}.log", "epoch   1"):
            return fold
    return None


def leftover_temporaries(workdir):
    return [str(path) for folder in ("results", "resources") for path in (workdir / folder).rglob("*.tmp")]


def test_killed_runs_resume_to_identical_results(tmp_path, demo_run):
    reference, _ = demo_run
    workdir = tmp_path / "killed"
    config = make_workdir(workdir, FAST)

    # Kill during feature extraction: no feature store may be left behind.
    process = start(workdir, config)
    kill_when(process, lambda: log_contains(workdir / "logs/demo/embed_features.log", "images:"),
              "feature extraction started")
    assert not (workdir / RESULTS / "features").exists()

    # Snakemake's directory lock survives a SIGKILL, and --unlock removes it (see the README).
    run_snakemake(workdir, config, "--unlock")

    # Resume, and kill during the training of a fold once two other folds are done.
    process = start(workdir, config)
    killed_fold = kill_when(process, lambda: fold_in_training(workdir), "fold training started")
    weights = {fold: workdir / RESULTS / f"folds/fold_{fold}/model.safetensors" for fold in range(5)}
    assert not weights[killed_fold].exists()
    finished = {fold: path.stat().st_mtime_ns for fold, path in weights.items() if path.exists()}
    assert len(finished) >= 2

    # A plain call after --unlock finishes the run without redoing the completed folds.
    run_snakemake(workdir, config, "--unlock")
    run_snakemake(workdir, config)
    for fold, mtime in finished.items():
        assert weights[fold].stat().st_mtime_ns == mtime
    assert leftover_temporaries(workdir) == []

    for name in ["cv_summary.json", "test_metrics.json"]:
        resumed = json.loads((workdir / RESULTS / name).read_text())
        assert resumed == json.loads((reference / RESULTS / name).read_text())
    for fold in range(5):
        path = f"{RESULTS}/folds/fold_{fold}/model.safetensors"
        assert (workdir / path).read_bytes() == (reference / path).read_bytes()
