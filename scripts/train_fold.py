"""Rule train_fold: train the hashing head of one fold on cached features."""

import torch

from mmhash.device import resolve_device
from mmhash.fold_training import run_train_fold
from mmhash.logs import rule_logging
from mmhash.tracking import fold_tracker

with rule_logging(snakemake.log[0]):
    torch.set_num_threads(snakemake.threads)
    fold = int(snakemake.wildcards.fold)
    config = snakemake.config
    with fold_tracker(config["tracking"], config["experiment"], fold, snakemake.params.settings) as tracker:
        run_train_fold(
            snakemake.input.store, snakemake.input.view, snakemake.params.settings, fold,
            resolve_device(config["device"]),
            snakemake.output.weights, snakemake.output.history, snakemake.output.resolved_config,
            tracker=tracker,
        )
