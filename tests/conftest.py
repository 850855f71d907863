"""Shared fixtures: paths, a tiny encoder, the demo dataset and a helper that runs the workflow."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
# The real MS-COCO 2014 excerpt; override with COCO_MINI_DIR.
COCO_MINI_DIR = Path(os.environ.get("COCO_MINI_DIR", REPO.parent / "shared" / "data" / "coco-mini"))
WORKFLOW_FILES = ["Snakefile", "workflow", "scripts", "config", "profiles", "envs"]


@pytest.fixture(scope="session")
def coco_mini_dir():
    if not (COCO_MINI_DIR / "karpathy" / "dataset_coco.json").is_file():
        pytest.skip(f"COCO subset not found at {COCO_MINI_DIR}; set COCO_MINI_DIR to its folder")
    return COCO_MINI_DIR


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory):
    from mmhash.tiny_encoder import write_tiny_encoder

    path = tmp_path_factory.mktemp("encoder") / "tiny_siglip2"
    write_tiny_encoder(path, hidden_size=32, num_layers=1, num_heads=2, patch_size=8, max_num_patches=16)
    return path


@pytest.fixture(scope="session")
def demo_dataset_dir(tmp_path_factory):
    from mmhash.demo_data import write_demo_dataset

    path = tmp_path_factory.mktemp("data") / "demo_coco"
    write_demo_dataset(path, n_images=60, seed=3)
    return path


def load_default_config():
    with open(REPO / "config" / "config.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def deep_update(base, overrides):
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value
    return base


def make_workdir(path, overrides):
    """Copy the workflow files into ``path`` and write a config with ``overrides``; return the config path."""
    path.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, path / name, dirs_exist_ok=True)
        else:
            shutil.copy(source, path / name)
    config = deep_update(load_default_config(), overrides)
    config_path = path / "config" / "test.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return config_path


def snakemake_command(config_path, *extra):
    return [sys.executable, "-m", "snakemake", "--configfile", str(config_path), "--cores", "2", *extra]


def run_snakemake(workdir, config_path, *extra, check=True, env=None):
    """Run Snakemake in ``workdir`` with the default profile; return the completed process."""
    process = subprocess.run(snakemake_command(config_path, *extra), cwd=workdir, capture_output=True, text=True,
                             env=env)
    if check and process.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(extra)} failed:\n{process.stdout[-4000:]}\n{process.stderr[-8000:]}")
    return process


# A small, fast demo: 120 images, a one-layer tiny encoder, 6 epochs without early stopping.
FAST = {
    "dataset": {"demo_images": 120},
    "encoder": {"tiny": {"hidden_size": 32, "num_layers": 1, "num_heads": 2}, "num_workers": 0, "batch_size": 8},
    "train": {"max_epochs": 6, "early_stopping_patience": 6},
}


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """A completed run of the fast demo config; tests must not change it."""
    workdir = tmp_path_factory.mktemp("demo")
    config = make_workdir(workdir, FAST)
    run_snakemake(workdir, config)
    return workdir, config
