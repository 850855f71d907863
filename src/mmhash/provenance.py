"""Provenance of a result: code fingerprints, software, hardware, data hashes and encoder identity."""

import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import subprocess
from pathlib import Path

import torch

PACKAGES = ["torch", "transformers", "snakemake", "scikit-learn", "numpy", "pandas", "safetensors", "pillow"]
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def source_fingerprint(modules):
    """Return a sha256 over the source of the named ``mmhash`` modules.

    Snakemake's code trigger covers a rule's script but not the modules it
    imports, so rules take this fingerprint as a parameter. Editing a module
    then reruns exactly the rules that list it.
    """
    digest = hashlib.sha256()
    for module in sorted(modules):
        spec = importlib.util.find_spec(f"mmhash.{module}")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"mmhash.{module} not found; is the package installed (make run)?")
        digest.update(module.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def sha256_file(path, chunk_size=1 << 20):
    """Return the sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_lines(lines):
    """Return the sha256 of the lines joined with newlines."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def git_state(folder):
    """Return the commit checked out in ``folder`` and whether tracked files differ from it."""
    def git(*args):
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "uncommitted_changes": None, "note": f"{folder} is not a git checkout"}
    return {"commit": commit, "uncommitted_changes": dirty}


def software_versions():
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware():
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "os": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpu": gpu,
        "cuda": torch.version.cuda if gpu else None,
    }


def encoder_identity(name_or_path):
    """Identify the encoder: its local folder, or the Hub cache snapshot (revision), and a hash of its weights."""
    folder = Path(name_or_path)
    identity = {"name_or_path": name_or_path, "revision": None}
    if not folder.is_dir():
        try:
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(name_or_path, local_files_only=True))
            identity["revision"] = folder.name  # cache snapshots are named by commit hash
        except Exception as error:  # noqa: BLE001 - any failure means the cache has no copy
            identity["note"] = f"not found locally: {error}"
            return identity
    weights = sorted(p for p in folder.iterdir() if p.suffix in WEIGHT_SUFFIXES)
    identity["weights_sha256"] = {p.name: sha256_file(p) for p in weights}
    return identity


def build_provenance(config, workflow_dir, dataset_files, image_paths, split_file, feature_meta):
    """Collect the provenance record of a run as a JSON-serialisable dict.

    Parameters
    ----------
    config : dict, the resolved config
    workflow_dir : path of the workflow (for git)
    dataset_files : dict role -> list of paths (annotation files, Karpathy file)
    image_paths : list of str, the indexed image files
    split_file : path of the split CSV
    feature_meta : dict from the feature store's ``store.json``
    """
    return {
        "experiment": config["experiment"],
        "git": git_state(workflow_dir),
        "software": software_versions(),
        "hardware": hardware(),
        "data": {
            role: {str(p): sha256_file(p) for p in paths} for role, paths in dataset_files.items()
        } | {"sorted_image_list_sha256": sha256_lines(sorted(image_paths)), "images": len(image_paths)},
        "split_file_sha256": sha256_file(split_file),
        "encoder": encoder_identity(config["encoder"]["name_or_path"]) | {"feature_store": feature_meta},
        "seeds": {
            "splits": config["splits"]["seed"],
            "train": config["train"]["seed"],
            "fold_overrides": {str(o["fold"]): o["train"].get("seed") for o in config.get("fold_overrides", [])
                               if "seed" in o.get("train", {})},
            "demo_dataset": config["dataset"]["demo_seed"] if config["dataset"]["generate_demo"] else None,
            "tiny_encoder": config["encoder"]["tiny"]["seed"] if config["encoder"]["generate_tiny"] else None,
        },
        "config": config,
    }
