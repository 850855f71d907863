"""Cached features versus re-encoding every step, on the same data, encoder, head and folds.

The cached path is the workflow's: encode every image and caption once, then
train each fold's head on the stored features. The comparison loop is the
users' previous pipeline: every training step decodes the batch's image files
and encodes them and one caption each, and every epoch's validation encodes
the validation images again.
"""

import math

import numpy as np
import torch

from common import EncoderCallCounter, Row, stopwatch
from mmhash.coco_index import build_index
from mmhash.demo_data import write_demo_dataset
from mmhash.device import autocast
from mmhash.embedding import write_feature_store
from mmhash.encoder import configure_image_processor, load_encoder, pooled_output
from mmhash.feature_store import FeatureStore
from mmhash.fold_data import FoldTensors, label_matrix, write_fold_view
from mmhash.image_io import open_rgb_image
from mmhash.losses import LossWeights, hash_loss
from mmhash.metrics import mean_average_precision
from mmhash.model import HashHead, HeadConfig
from mmhash.splits import assign_folds, fold_members
from mmhash.tiny_encoder import write_tiny_encoder
from mmhash.training import TrainSettings, cosine_with_warmup, train_head

N_FOLDS = 5


def prepare(folder, n_images, encoder_size):
    write_demo_dataset(folder / "data", n_images=n_images, seed=0)
    write_tiny_encoder(folder / "encoder", **encoder_size)
    root = folder / "data"
    index, classes, _, _ = build_index(
        [root / "annotations/instances_train2014.json", root / "annotations/instances_val2014.json"],
        [root / "annotations/captions_train2014.json", root / "annotations/captions_val2014.json"],
        root / "karpathy/dataset_coco.json", root / "images")
    splits = assign_folds(index, ["train", "restval", "val"], "test", N_FOLDS, seed=42)
    return index, len(classes), splits


def cached_path(folder, index, n_classes, splits, settings, device, encoder_settings):
    model, tokenizer, processor = load_encoder(str(folder / "encoder"), device)
    configure_image_processor(processor, encoder_settings["max_num_patches"])
    counter = EncoderCallCounter(model)
    labels_by_id = dict(zip(index["image_id"], index["labels"], strict=True))
    with stopwatch(device) as timer:
        write_feature_store(folder / "store", index, model, tokenizer, processor, encoder_settings, device)
        store = FeatureStore.open(folder / "store")
        for fold in range(N_FOLDS):
            train_ids, val_ids = fold_members(splits, fold)
            write_fold_view(folder / f"view{fold}.npz", store, train_ids, val_ids, labels_by_id, n_classes)
            with np.load(folder / f"view{fold}.npz") as view:
                train = FoldTensors.gather(store, view["train_rows"], view["train_labels"], device)
                val = FoldTensors.gather(store, view["val_rows"], view["val_labels"], device)
                mean, std = view["magnitude_mean"], view["magnitude_std"]
            torch.manual_seed(settings.seed)
            head = HashHead(HeadConfig(store.meta["feature_dim"], n_classes)).to(device)
            head.set_magnitude_stats(mean, std)
            train_head(head, train, val, settings)
    return timer["seconds"], counter


def encode_batch(model, tokenizer, processor, paths, captions, device, max_text_length):
    """Decode and encode one batch of images and captions, as the re-encoding loop does every step."""
    images = [open_rgb_image(path) for path in paths]
    pixels = {k: v.to(device) for k, v in processor(images=images, return_tensors="pt").items()}
    tokens = tokenizer(captions, padding="max_length", max_length=max_text_length, truncation=True,
                       return_tensors="pt")
    with torch.no_grad(), autocast(device):
        image = pooled_output(model.get_image_features(**pixels)).float()
        text = pooled_output(model.get_text_features(**{k: v.to(device) for k, v in tokens.items()})).float()
    return image, text


def reencode_path(folder, index, n_classes, splits, settings, device, encoder_settings):
    model, tokenizer, processor = load_encoder(str(folder / "encoder"), device)
    configure_image_processor(processor, encoder_settings["max_num_patches"])
    counter = EncoderCallCounter(model)
    table = index.set_index("image_id")
    rng = np.random.default_rng(settings.seed)
    max_length = encoder_settings["max_text_length"]
    with stopwatch(device) as timer:
        for fold in range(N_FOLDS):
            train_ids, val_ids = fold_members(splits, fold)
            torch.manual_seed(settings.seed)
            head = HashHead(HeadConfig(model.config.text_config.projection_size, n_classes)).to(device)
            optimizer = torch.optim.AdamW(head.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
            steps = math.ceil(math.ceil(len(train_ids) / settings.batch_size) / settings.grad_accumulation)
            scheduler = cosine_with_warmup(optimizer, steps, settings.max_epochs * steps, settings.min_lr / settings.lr)
            for _ in range(settings.max_epochs):
                head.train()
                order = rng.permutation(train_ids)
                for step, start in enumerate(range(0, len(order), settings.batch_size)):
                    batch = table.loc[order[start:start + settings.batch_size]]
                    captions = [c[rng.integers(len(c))] for c in batch["captions"]]
                    image, text = encode_batch(model, tokenizer, processor, batch["file_path"], captions, device,
                                               max_length)
                    labels = torch.from_numpy(label_matrix(batch["labels"], n_classes)).float().to(device)
                    loss, _ = hash_loss(head(image, text), labels, LossWeights())
                    (loss / settings.grad_accumulation).backward()
                    if (step + 1) % settings.grad_accumulation == 0:
                        torch.nn.utils.clip_grad_norm_(head.parameters(), settings.grad_clip_norm)
                        optimizer.step()
                        optimizer.zero_grad()
                        scheduler.step()
                # Validation re-encodes the validation images with one random caption each.
                head.eval()
                batch = table.loc[val_ids]
                captions = [c[rng.integers(len(c))] for c in batch["captions"]]
                scores = []
                for start in range(0, len(batch), 64):
                    part = batch.iloc[start:start + 64]
                    image, text = encode_batch(model, tokenizer, processor, part["file_path"],
                                               captions[start:start + 64], device, max_length)
                    with torch.no_grad():
                        scores.append(torch.sigmoid(head(image, text).logits).cpu().numpy())
                mean_average_precision(label_matrix(batch["labels"], n_classes), np.concatenate(scores))
    return timer["seconds"], counter


def run(folder, device, epochs=20, n_images=200, encoder_size=None):
    """Return result rows of the comparison at ``N_FOLDS`` folds x ``epochs`` epochs, early stopping off."""
    # SigLIP 2 base's input shape (256 patches of 16 pixels, 64 tokens) on a smaller transformer, so the
    # image tower costs more than the text tower, as in the real model.
    encoder_size = encoder_size or {"hidden_size": 128, "num_layers": 4, "num_heads": 4, "patch_size": 16,
                                    "max_num_patches": 256}
    encoder_settings = {"name_or_path": str(folder / "encoder"), "batch_size": 32, "num_workers": 0,
                        "max_text_length": 64, "max_num_patches": encoder_size["max_num_patches"]}
    index, n_classes, splits = prepare(folder, n_images, encoder_size)
    settings = TrainSettings(batch_size=32, grad_accumulation=2, max_epochs=epochs, lr=2e-4,
                             early_stopping_patience=epochs + 1, seed=42)
    cached_seconds, cached = cached_path(folder, index, n_classes, splits, settings, device, encoder_settings)
    reencode_seconds, reencode = reencode_path(folder, index, n_classes, splits, settings, device, encoder_settings)
    section = f"1. cached vs re-encoding ({N_FOLDS} folds x {epochs} epochs, {n_images} images)"
    return [
        Row(section, "cached path, wall time", cached_seconds, "s"),
        Row(section, "re-encoding loop, wall time", reencode_seconds, "s"),
        Row(section, "speed-up (re-encoding / cached)", reencode_seconds / cached_seconds, "x"),
        Row(section, "encoder image passes, cached", cached.images, "images"),
        Row(section, "encoder image passes, re-encoding", reencode.images, "images"),
        Row(section, "encoder caption passes, cached", cached.texts, "captions"),
        Row(section, "encoder caption passes, re-encoding", reencode.texts, "captions"),
    ]
