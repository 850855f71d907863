"""The provenance record, the code fingerprints and the optional wandb tracking."""

import hashlib
import json
import subprocess

import pandas as pd
import pytest
import yaml

from mmhash.provenance import encoder_identity, git_state, source_fingerprint

RESULTS = "results/demo"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_provenance_record_of_demo_run(demo_run):
    workdir, _ = demo_run
    record = json.loads((workdir / RESULTS / "provenance.json").read_text())
    index = pd.read_parquet(workdir / RESULTS / "index/images.parquet")

    assert record["split_file_sha256"] == sha256(workdir / RESULTS / "splits/folds.csv")
    karpathy = "resources/demo_coco/karpathy/dataset_coco.json"
    assert record["data"]["karpathy_split"][karpathy] == sha256(workdir / karpathy)
    assert len(record["data"]["instances"]) == 2
    expected_list = hashlib.sha256("\n".join(sorted(index["file_path"])).encode()).hexdigest()
    assert record["data"]["sorted_image_list_sha256"] == expected_list
    assert record["encoder"]["weights_sha256"]["model.safetensors"] == sha256(
        workdir / "resources/tiny_siglip2/model.safetensors")
    assert record["seeds"]["splits"] == 42
    assert record["seeds"]["train"] == 42
    for package in ["torch", "transformers", "snakemake", "scikit-learn", "numpy"]:
        assert record["software"][package], package
    assert {"os", "cpu", "gpu", "cuda"} <= set(record["hardware"])
    # The test folder is a copy of the workflow, not a git checkout.
    assert record["git"]["commit"] is None
    resolved = yaml.safe_load((workdir / RESULTS / "resolved_config.yaml").read_text())
    assert resolved == record["config"]
    assert resolved["train"]["max_epochs"] == 6


def test_git_state_reports_commit_and_changes(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "file.txt").write_text("one")
    git("add", "file.txt")
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "first")
    clean = git_state(tmp_path)
    assert len(clean["commit"]) == 40
    assert clean["uncommitted_changes"] is False
    (tmp_path / "file.txt").write_text("two")
    assert git_state(tmp_path)["uncommitted_changes"] is True


def test_encoder_identity_of_missing_model(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    identity = encoder_identity("google/siglip2-base-patch16-256")
    assert identity["revision"] is None
    assert "not found locally" in identity["note"]


def test_source_fingerprint_is_stable_and_specific():
    assert source_fingerprint(["model", "losses"]) == source_fingerprint(["losses", "model"])
    assert source_fingerprint(["model"]) != source_fingerprint(["losses"])
    with pytest.raises(ModuleNotFoundError, match="mmhash.no_such_module"):
        source_fingerprint(["no_such_module"])


def test_offline_tracking_writes_one_run_per_fold(tmp_path, demo_run, monkeypatch):
    from mmhash.fold_training import run_train_fold
    from mmhash.tracking import fold_tracker

    workdir, _ = demo_run
    monkeypatch.setenv("WANDB_SILENT", "true")
    settings = {"mode": "offline", "project": "mmhash-cv-test", "entity": None, "dir": str(tmp_path / "tracking")}
    run_config = yaml.safe_load((workdir / RESULTS / "resolved_config.yaml").read_text())
    fold_settings = {key: run_config[key] for key in ("model", "loss", "train")}
    fold_settings["train"] = {**fold_settings["train"], "max_epochs": 2}
    for fold in (0, 1):
        with fold_tracker(settings, "demo", fold, fold_settings) as tracker:
            run_train_fold(workdir / RESULTS / "features", workdir / RESULTS / f"folds/fold_{fold}/view.npz",
                           fold_settings, fold, "cpu", tmp_path / f"w{fold}.safetensors", tmp_path / f"h{fold}.csv",
                           tmp_path / f"c{fold}.json", tracker=tracker)

    runs = sorted((tmp_path / "tracking" / "wandb").glob("offline-run-*"))
    assert len(runs) == 2
    run_names = set()
    for run in runs:
        (record_file,) = run.glob("run-*.wandb")
        # Offline runs keep their records as protobuf, in which keys and names are plain strings.
        records = record_file.read_bytes()
        run_names |= {name for name in ("demo-fold0", "demo-fold1") if name.encode() in records}
        for text in ["loss_bce", "val_mAP", "best_val_mAP", "best_epoch"]:
            assert text.encode() in records, text
    assert run_names == {"demo-fold0", "demo-fold1"}
