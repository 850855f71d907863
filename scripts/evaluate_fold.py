"""Rule evaluate_fold: validation metrics of a fold's best checkpoint, classifier and KNN."""

import pandas as pd
import torch

from mmhash.atomic import write_csv, write_json
from mmhash.device import resolve_device
from mmhash.evaluation import evaluate_fold
from mmhash.feature_store import FeatureStore
from mmhash.fold_data import load_fold_view
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    fold = int(snakemake.wildcards.fold)
    metrics, per_class_ap = evaluate_fold(
        FeatureStore.open(snakemake.input.store), load_fold_view(snakemake.input.view), snakemake.input.weights,
        snakemake.params.settings, resolve_device(snakemake.config["device"]),
    )
    metrics = {"fold": fold, **metrics}
    classes = pd.read_csv(snakemake.input.classes)
    write_csv(snakemake.output.per_class_ap, classes.assign(fold=fold, average_precision=per_class_ap))
    write_json(snakemake.output.metrics, metrics)
    for method in ("classifier", "knn"):
        log.info("fold %d %s: %s", fold, method,
                 ", ".join(f"{name} {value:.4f}" for name, value in metrics[method].items()))
