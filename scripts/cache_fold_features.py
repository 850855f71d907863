"""Rule cache_fold_features: the fold's training and validation rows of the shared feature store."""

import json

import pandas as pd

from mmhash.feature_store import FeatureStore
from mmhash.fold_data import write_fold_view
from mmhash.logs import rule_logging
from mmhash.splits import fold_members, read_split_table

with rule_logging(snakemake.log[0]) as log:
    fold = int(snakemake.wildcards.fold)
    index = pd.read_parquet(snakemake.input.index, columns=["image_id", "labels"])
    n_classes = len(pd.read_csv(snakemake.input.classes))
    labels_by_id = dict(zip(index["image_id"], index["labels"]))
    train_ids, val_ids = fold_members(read_split_table(snakemake.input.splits), fold)
    summary = write_fold_view(snakemake.output.view, FeatureStore.open(snakemake.input.store),
                              train_ids, val_ids, labels_by_id, n_classes)
    log.info("fold %d view: %s", fold, json.dumps(summary))
