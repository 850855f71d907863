"""Encoding every image and caption once into the shared feature store (see ``feature_store``)."""

import json
import logging

import numpy as np
import torch
from numpy.lib.format import open_memmap
from tqdm import tqdm

from .atomic import atomic_directory
from .device import autocast
from .encoder import ImageFileDataset, pooled_output
from .feature_store import STORE_DTYPE, caption_offsets_of
from .image_io import DEFAULT_MAX_IMAGE_PIXELS

log = logging.getLogger(__name__)


@torch.no_grad()
def encode_images(model, image_processor, paths, out, batch_size, num_workers, device,
                  max_pixels=DEFAULT_MAX_IMAGE_PIXELS):
    """Encode image files into the preallocated array ``out`` of shape (n_images, dim)."""
    loader = torch.utils.data.DataLoader(
        ImageFileDataset(paths, image_processor, max_pixels), batch_size=batch_size, shuffle=False,
        num_workers=num_workers, pin_memory=device.type == "cuda",
        persistent_workers=False,
    )
    start = 0
    for batch in tqdm(loader, desc="images", unit="batch", mininterval=5):
        batch = {key: value.to(device, non_blocking=True) for key, value in batch.items()}
        with autocast(device):
            features = pooled_output(model.get_image_features(**batch))  # (batch, dim)
        out[start:start + len(features)] = features.float().cpu().numpy()
        start += len(features)


@torch.no_grad()
def encode_captions(model, tokenizer, captions, out, batch_size, max_length, device):
    """Encode caption strings into the preallocated array ``out`` of shape (n_captions, dim).

    Captions are padded to ``max_length`` tokens, as SigLIP was trained.
    """
    for start in tqdm(range(0, len(captions), batch_size), desc="captions", unit="batch", mininterval=5):
        chunk = captions[start:start + batch_size]
        tokens = tokenizer(chunk, padding="max_length", max_length=max_length, truncation=True, return_tensors="pt")
        tokens = {key: value.to(device) for key, value in tokens.items()}
        with autocast(device):
            features = pooled_output(model.get_text_features(**tokens))  # (batch, dim)
        out[start:start + len(chunk)] = features.float().cpu().numpy()


def feature_dim(model, tokenizer, device):
    """Return the size of the pooled text features by encoding one caption."""
    tokens = tokenizer(["a"], padding="max_length", max_length=8, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return int(pooled_output(model.get_text_features(**{k: v.to(device) for k, v in tokens.items()})).shape[-1])


def write_feature_store(folder, index, model, tokenizer, image_processor, settings, device):
    """Encode every image and caption of ``index`` once and write the store folder atomically.

    Parameters
    ----------
    folder : path
    index : DataFrame from ``build_index`` (``image_id``, ``file_path``, ``captions``).
    settings : dict
        The ``encoder`` config section: ``name_or_path``, ``batch_size``,
        ``num_workers``, ``max_text_length``; optionally ``max_image_pixels``.
    """
    captions = [caption for caption_list in index["captions"] for caption in caption_list]
    dim = feature_dim(model, tokenizer, device)
    with atomic_directory(folder) as tmp:
        np.save(tmp / "image_ids.npy", index["image_id"].to_numpy(np.int64))
        np.save(tmp / "caption_offsets.npy", caption_offsets_of(index["captions"].tolist()))
        image_out = open_memmap(tmp / "image_features.npy", mode="w+", dtype=STORE_DTYPE, shape=(len(index), dim))
        text_out = open_memmap(tmp / "text_features.npy", mode="w+", dtype=STORE_DTYPE, shape=(len(captions), dim))
        encode_images(model, image_processor, index["file_path"].tolist(), image_out,
                      settings["batch_size"], settings["num_workers"], device,
                      settings.get("max_image_pixels", DEFAULT_MAX_IMAGE_PIXELS))
        encode_captions(model, tokenizer, captions, text_out, settings["batch_size"],
                        settings["max_text_length"], device)
        for array in (image_out, text_out):
            array.flush()
        del image_out, text_out
        meta = {"encoder": settings["name_or_path"], "feature_dim": dim, "images": len(index),
                "captions": len(captions), "dtype": np.dtype(STORE_DTYPE).name}
        (tmp / "store.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("feature store: %d images, %d captions, %d-d features", len(index), len(captions), dim)
    return meta
