"""The whole workflow, run with Snakemake in a temporary folder: the demo config and the real COCO subset."""

import json
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from conftest import FAST, make_workdir, run_snakemake


def test_demo_cv_summary(demo_run):
    workdir, _ = demo_run
    summary = json.loads((workdir / "results/demo/cv_summary.json").read_text())
    folds = pd.read_csv(workdir / "results/demo/fold_metrics.csv")
    assert summary["n_folds"] == 5
    assert len(summary["metrics"]) == 18
    for name, stats in summary["metrics"].items():
        values = stats["values"]
        assert len(values) == 5, name
        assert all(math.isfinite(v) for v in values), name
        assert values == pytest.approx(folds[name].tolist()), name
        assert stats["mean"] == pytest.approx(statistics.mean(values)), name
        assert stats["std"] == pytest.approx(statistics.stdev(values)), name
    mean, std = summary["metrics"]["mAP"]["mean"], summary["metrics"]["mAP"]["std"]
    assert summary["paper_line"] == f"mAP: {mean:.4f} ± {std:.4f} (5 folds)"


def test_demo_fold_outputs(demo_run):
    workdir, _ = demo_run
    for fold in range(5):
        folder = workdir / f"results/demo/folds/fold_{fold}"
        history = pd.read_csv(folder / "history.csv")
        assert history["epoch"].tolist() == [1, 2, 3, 4, 5, 6]
        metrics = json.loads((folder / "metrics.json").read_text())
        assert metrics["fold"] == fold
        assert set(metrics) >= {"classifier", "knn", "val_images"}
        resolved = json.loads((folder / "resolved_config.json").read_text())
        assert resolved["config"]["train"]["max_epochs"] == 6
        assert (folder / "model.safetensors").stat().st_size > 0
    assert (workdir / "results/demo/benchmarks/train_fold/fold_0.tsv").is_file()
    assert "mAP:" in (workdir / "logs/demo/aggregate_folds.log").read_text()


def test_demo_test_metrics(demo_run):
    workdir, _ = demo_run
    splits = pd.read_csv(workdir / "results/demo/splits/folds.csv")
    result = json.loads((workdir / "results/demo/test_metrics.json").read_text())
    cv = json.loads((workdir / "results/demo/cv_summary.json").read_text())
    assert result["test_images"] == (splits["role"] == "test").sum()
    assert result["best_fold"] == int(np.argmax(cv["metrics"]["mAP"]["values"]))
    assert set(result["per_fold"]) == {"0", "1", "2", "3", "4"}
    per_fold_map = [result["per_fold"][str(f)]["mAP"] for f in range(5)]
    assert result["per_fold_summary"]["mAP"]["mean"] == pytest.approx(statistics.mean(per_fold_map))
    assert math.isfinite(result["ensemble"]["mAP"])
    assert math.isfinite(result["best_fold_metrics"]["knn"]["mAP"])


def test_demo_rerun_has_nothing_to_do(demo_run):
    workdir, config = demo_run
    process = run_snakemake(workdir, config, "--dry-run")
    assert "Nothing to be done" in process.stdout + process.stderr


def test_demo_report_builds(demo_run):
    workdir, config = demo_run
    run_snakemake(workdir, config, "--report", "results/report.html")
    html = (workdir / "results/report.html").read_text(encoding="utf-8", errors="replace")
    for name in ["cv_summary.csv", "fold_metrics.csv", "per_class_ap.csv", "learning_curves.png",
                 "test_metrics.csv", "provenance.json", "resolved_config.yaml", "benchmarks.csv"]:
        assert name in html, name


@pytest.fixture(scope="module")
def coco_mini_run(tmp_path_factory, coco_mini_dir):
    workdir = tmp_path_factory.mktemp("coco_mini")
    config = make_workdir(workdir, {
        **FAST,
        "experiment": "coco_mini",
        "dataset": {"root": str(coco_mini_dir), "generate_demo": False, "image_dir": "images"},
        "encoder": {**FAST["encoder"], "max_num_patches": 16},
    })
    run_snakemake(workdir, config)
    return workdir


def test_coco_mini_index_and_splits(coco_mini_run):
    results = coco_mini_run / "results/coco_mini"
    index = pd.read_parquet(results / "index/images.parquet")
    assert len(index) == 239
    assert index["captions"].map(len).sum() == 1195
    assert len(pd.read_csv(results / "index/classes.csv")) == 80
    splits = pd.read_csv(results / "splits/folds.csv")
    dev = splits[splits["role"] == "dev"]
    assert len(dev) == 217
    assert dev["split"].value_counts().to_dict() == {"restval": 136, "train": 60, "val": 21}
    assert (splits["role"] == "test").sum() == 22
    assert set(dev["fold"]) == {0, 1, 2, 3, 4}


def test_coco_mini_grayscale_image_encoded(coco_mini_run, coco_mini_dir):
    from PIL import Image

    from mmhash.feature_store import FeatureStore

    index = pd.read_parquet(coco_mini_run / "results/coco_mini/index/images.parquet")
    grayscale = [row.image_id for row in index.itertuples() if Image.open(row.file_path).mode == "L"]
    assert grayscale, "the COCO subset is expected to contain a grayscale image"
    store = FeatureStore.open(coco_mini_run / "results/coco_mini/features")
    features = np.asarray(store.image_features[store.rows_of(grayscale)], dtype=np.float32)
    assert np.isfinite(features).all()
    assert (np.linalg.norm(features, axis=1) > 0).all()


def test_coco_mini_run_completes(coco_mini_run):
    results = coco_mini_run / "results/coco_mini"
    summary = json.loads((results / "cv_summary.json").read_text())
    assert len(summary["metrics"]["mAP"]["values"]) == 5
    test = json.loads((results / "test_metrics.json").read_text())
    assert test["test_images"] == 22
