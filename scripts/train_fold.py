"""Rule train_fold: train the hashing head of one fold on cached features."""

import torch

from mmhash.device import resolve_device
from mmhash.fold_training import run_train_fold
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]):
    torch.set_num_threads(snakemake.threads)
    run_train_fold(
        snakemake.input.store, snakemake.input.view, snakemake.params.config, int(snakemake.wildcards.fold),
        resolve_device(snakemake.params.device),
        snakemake.output.weights, snakemake.output.history, snakemake.output.resolved_config,
    )
