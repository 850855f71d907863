"""Rule evaluate_test: the held-out test set, scored by the best fold, every fold and their ensemble."""

import json

import pandas as pd
import torch

from mmhash.atomic import write_csv, write_json
from mmhash.device import resolve_device
from mmhash.evaluation import evaluate_test, test_metrics_table
from mmhash.feature_store import FeatureStore
from mmhash.fold_data import load_fold_view
from mmhash.logs import rule_logging
from mmhash.splits import read_split_table

with rule_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    index = pd.read_parquet(snakemake.input.index, columns=["image_id", "labels"])
    splits = read_split_table(snakemake.input.splits)
    test_ids = splits.loc[splits["role"] == "test", "image_id"].to_numpy()
    fold_inputs = []
    for weights, view, metrics_path in zip(snakemake.input.weights, snakemake.input.views, snakemake.input.metrics):
        with open(metrics_path, encoding="utf-8") as handle:
            metrics = json.load(handle)
        fold_inputs.append((metrics["fold"], weights, load_fold_view(view), metrics))

    result = evaluate_test(
        FeatureStore.open(snakemake.input.store), test_ids, dict(zip(index["image_id"], index["labels"])),
        len(pd.read_csv(snakemake.input.classes)), fold_inputs, snakemake.params.settings,
        resolve_device(snakemake.config["device"]),
    )
    write_json(snakemake.output.metrics, result)
    write_csv(snakemake.output.table, test_metrics_table(result))
    log.info("test set: %d images; best fold %d (validation mAP %.4f): test mAP %.4f; ensemble test mAP %.4f",
             result["test_images"], result["best_fold"], result["best_fold_val_mAP"],
             result["best_fold_metrics"]["classifier"]["mAP"], result["ensemble"]["mAP"])
