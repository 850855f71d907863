"""Rule embed_features: encode every image and caption once with the frozen encoder."""

import os

import pandas as pd
import torch

from mmhash.device import resolve_device
from mmhash.encoder import configure_image_processor, load_encoder
from mmhash.embedding import write_feature_store
from mmhash.logs import rule_logging

# Models load from local folders or the local cache only; never reach for the Hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

with rule_logging(snakemake.log[0]) as log:
    # Settings that change the features come from params, so a change reruns the rule.
    # Batch size, workers, threads and device only change speed, so they come from the config.
    settings = {**snakemake.params.encoder,
                "batch_size": snakemake.config["encoder"]["batch_size"],
                "num_workers": snakemake.config["encoder"]["num_workers"],
                "max_image_pixels": snakemake.config["dataset"]["max_image_pixels"]}
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(snakemake.config["device"])
    model, tokenizer, image_processor = load_encoder(settings["name_or_path"], device)
    if configure_image_processor(image_processor, settings["max_num_patches"]):
        log.info("image processor: at most %d patches per image", settings["max_num_patches"])
    else:
        log.info("image processor %s has a fixed resolution; encoder.max_num_patches does not apply",
                 type(image_processor).__name__)
    index = pd.read_parquet(snakemake.input.index, columns=["image_id", "file_path", "captions"])
    write_feature_store(snakemake.output.store, index, model, tokenizer, image_processor, settings, device)
