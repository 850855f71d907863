"""Memory and KNN time at the size of the full COCO development pool.

A synthetic feature store with 118,287 images, 5 captions each and 768-d
float16 features is written to disk. One fold (94,630 training and 23,657
validation images) is then trained for one epoch and evaluated. Each job runs
in its own process, so its peak resident memory is its own.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from numpy.lib.format import open_memmap

from common import Row, peak_rss_mb, stopwatch
from mmhash.fold_data import write_fold_view
from mmhash.feature_store import FeatureStore
from mmhash.knn import knn_label_scores

DEV_IMAGES, DIM, CAPTIONS, CLASSES, FOLDS = 118_287, 768, 5, 80, 5


def write_synthetic_store(folder, n_images=DEV_IMAGES, dim=DIM, captions=CAPTIONS, chunk=16_384, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    np.save(folder / "image_ids.npy", np.arange(1, n_images + 1, dtype=np.int64))
    np.save(folder / "caption_offsets.npy", np.arange(0, n_images * captions + 1, captions, dtype=np.int64))
    for name, rows in (("image_features.npy", n_images), ("text_features.npy", n_images * captions)):
        out = open_memmap(folder / name, mode="w+", dtype=np.float16, shape=(rows, dim))
        for start in range(0, rows, chunk):
            stop = min(start + chunk, rows)
            out[start:stop] = rng.standard_normal((stop - start, dim), dtype=np.float32) * 8
        out.flush()
        del out
    meta = {"encoder": "synthetic", "feature_dim": dim, "images": n_images, "captions": n_images * captions,
            "dtype": "float16"}
    (folder / "store.json").write_text(json.dumps(meta))


def write_view(folder, store_dir, seed=0):
    store = FeatureStore.open(store_dir)
    rng = np.random.default_rng(seed)
    ids = store.image_ids
    labels = {int(i): sorted(rng.choice(CLASSES, size=rng.integers(1, 4), replace=False).tolist()) for i in ids}
    shuffled = rng.permutation(ids)
    val_ids = np.sort(shuffled[: len(ids) // FOLDS])
    train_ids = np.sort(shuffled[len(ids) // FOLDS:])
    write_fold_view(folder / "view.npz", store, train_ids, val_ids, labels, CLASSES)
    return len(train_ids), len(val_ids)


def child(job, folder, device):
    """Run one job in this process and print its peak memory and time as JSON."""
    from mmhash.evaluation import evaluate_fold
    from mmhash.fold_data import load_fold_view
    from mmhash.fold_training import run_train_fold

    folder = Path(folder)
    baseline_mb = peak_rss_mb()  # after importing torch, scikit-learn and the package
    settings = {"model": {"hidden_sizes": [1024, 512], "dropout": 0.1, "hash_bits": 64},
                "loss": {"bce": 1.0, "alignment": 1.0, "hash": 0.1, "bit_balance": 0.1, "bit_decorrelation": 0.01},
                "train": {"batch_size": 256, "grad_accumulation": 1, "max_epochs": 1, "early_stopping_patience": 1}}
    device = torch.device(device)
    with stopwatch(device) as timer:
        if job == "train":
            run_train_fold(folder / "store", folder / "view.npz", settings, 0, device,
                           folder / "model.safetensors", folder / "history.csv", folder / "config.json")
        else:
            evaluate_fold(FeatureStore.open(folder / "store"), load_fold_view(folder / "view.npz"),
                          folder / "model.safetensors", {"threshold": 0.5, "knn_k": 20, "knn_temperature": 0.07},
                          device)
    gpu_mb = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else 0.0
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "baseline_mb": baseline_mb, "peak_gpu_mb": gpu_mb,
                      "seconds": timer["seconds"]}))


def run_child(job, folder, device):
    output = subprocess.run([sys.executable, __file__, job, str(folder), str(device)], capture_output=True,
                            text=True, check=True, cwd=Path(__file__).parent)
    return json.loads(output.stdout.strip().splitlines()[-1])


def knn_seconds(n_queries, n_database, bits=64, device="cpu"):
    generator = torch.Generator().manual_seed(0)
    queries = (torch.randint(0, 2, (n_queries, bits), generator=generator) * 2 - 1).float().to(device)
    database = (torch.randint(0, 2, (n_database, bits), generator=generator) * 2 - 1).float().to(device)
    labels = (torch.rand(n_database, CLASSES, generator=generator) < 0.05).float().to(device)
    with stopwatch(device) as timer:
        knn_label_scores(queries, database, labels, k=20, temperature=0.07)
    return timer["seconds"]


def run(folder, device):
    write_synthetic_store(folder / "store")
    n_train, n_val = write_view(folder, folder / "store")
    store_mb = sum(p.stat().st_size for p in (folder / "store").glob("*.npy")) / 2**20
    fold_mb = (n_train + n_val) * (1 + CAPTIONS) * DIM * 2 / 2**20
    train = run_child("train", folder, device)
    evaluate = run_child("evaluate", folder, device)
    section = f"4. scale ({DEV_IMAGES} images x {CAPTIONS} captions, {DIM}-d float16; fold {n_train} + {n_val})"
    return [
        Row(section, "feature store on disk", store_mb, "MB"),
        Row(section, "features of one fold (float16)", fold_mb, "MB", "what a fold needs to hold"),
        Row(section, "resident memory after imports (torch, scikit-learn, mmhash)", train["baseline_mb"], "MB"),
        Row(section, "train_fold peak resident memory (1 epoch, batch 256)", train["peak_rss_mb"], "MB",
            f"{(train['peak_rss_mb'] - train['baseline_mb']) / fold_mb:.2f} x the fold's features above imports"),
        Row(section, "train_fold time (1 epoch + validation)", train["seconds"], "s"),
        Row(section, "evaluate_fold peak resident memory", evaluate["peak_rss_mb"], "MB",
            f"{(evaluate['peak_rss_mb'] - evaluate['baseline_mb']) / fold_mb:.2f} x the fold's features above imports"),
        Row(section, "evaluate_fold time (classifier + KNN)", evaluate["seconds"], "s"),
        Row(section, f"KNN, {n_val} queries x {n_train} codes, K = 20", knn_seconds(n_val, n_train, device=device),
            "s"),
    ] + ([Row(section, "train_fold / evaluate_fold peak GPU memory",
              max(train["peak_gpu_mb"], evaluate["peak_gpu_mb"]), "MB")] if torch.device(device).type == "cuda" else [])


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], sys.argv[3])
