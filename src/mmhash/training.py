"""Training loop for one fold: AdamW, warm-up plus cosine schedule, gradient accumulation,
clipping, mixed precision on CUDA, and early stopping on validation mAP.
"""

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import torch

from .device import autocast, needs_grad_scaler
from .losses import LossWeights, hash_loss
from .metrics import mean_average_precision
from .predict import predict_images

log = logging.getLogger(__name__)


@dataclass
class TrainSettings:
    """The ``train`` section of the config; see ``config/config.yaml`` for each value's meaning."""

    batch_size: int = 32
    grad_accumulation: int = 2
    max_epochs: int = 20
    lr: float = 2e-4
    min_lr: float = 1e-6
    warmup_epochs: float = 1.0
    weight_decay: float = 0.01
    betas: list = field(default_factory=lambda: [0.9, 0.999])
    grad_clip_norm: float = 1.0
    early_stopping_patience: int = 3
    mixed_precision: bool = True
    seed: int = 42


@dataclass
class TrainResult:
    best_state: dict
    best_epoch: int
    best_val_map: float
    history: list


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite."""


def cosine_with_warmup(optimizer, warmup_steps, total_steps, min_lr_ratio):
    """Linear warm-up to the base learning rate, then cosine decay to ``min_lr_ratio`` times it."""

    def factor(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return min_lr_ratio + (1.0 - min_lr_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def draw_captions(offsets, generator):
    """Pick one caption row per image uniformly at random, int64 (n_images,)."""
    counts = (offsets[1:] - offsets[:-1]).cpu()
    picks = (torch.rand(len(counts), generator=generator) * counts).long()
    return offsets[:-1].cpu() + picks


def validation_map(head, val):
    """Deterministic validation mAP for early stopping (all captions averaged).

    Only mAP is computed each epoch; the full metric set of evaluate_fold
    costs several times more and would dominate epochs on small folds.
    """
    predictions = predict_images(head, val)
    return mean_average_precision(val.labels.cpu().numpy(), predictions.probabilities.cpu().numpy())


def train_head(head, train, val, settings, weights=None, fold=0, on_epoch=None):
    """Train ``head`` on the fold's training tensors and keep the state with the best validation mAP.

    Parameters
    ----------
    head : HashHead, already on the training device
    train, val : FoldTensors on the same device
    settings : TrainSettings
    weights : LossWeights, default ``LossWeights()``
    fold : int, used in log lines and errors
    on_epoch : callable taking the epoch's history dict, or None

    Returns
    -------
    TrainResult with the best state dict (on the CPU), its epoch and mAP, and
    one history dict per epoch.
    """
    weights = weights or LossWeights()
    device = train.image.device
    generator = torch.Generator().manual_seed(settings.seed)
    optimizer = torch.optim.AdamW(head.parameters(), lr=settings.lr, betas=tuple(settings.betas),
                                  weight_decay=settings.weight_decay)
    micro_batches = math.ceil(len(train) / settings.batch_size)
    steps_per_epoch = math.ceil(micro_batches / settings.grad_accumulation)
    scheduler = cosine_with_warmup(optimizer, max(1, round(settings.warmup_epochs * steps_per_epoch)),
                                   settings.max_epochs * steps_per_epoch, settings.min_lr / settings.lr)
    scaler = torch.amp.GradScaler("cuda", enabled=needs_grad_scaler(device, settings.mixed_precision))

    best = TrainResult(best_state={}, best_epoch=0, best_val_map=-math.inf, history=[])
    epochs_without_improvement = 0
    for epoch in range(1, settings.max_epochs + 1):
        started = time.perf_counter()
        head.train()

        # One caption per image, drawn anew each epoch; a fresh order of images.
        caption_rows = draw_captions(train.offsets, generator).to(device)
        order = torch.randperm(len(train), generator=generator).to(device)

        term_sums, seen = defaultdict(float), 0
        optimizer.zero_grad(set_to_none=True)
        for micro_step in range(micro_batches):
            batch = order[micro_step * settings.batch_size:(micro_step + 1) * settings.batch_size]
            with autocast(device, settings.mixed_precision):
                output = head(train.image[batch], train.text[caption_rows[batch]])
            loss, terms = hash_loss(output, train.labels[batch], weights)
            if not torch.isfinite(loss):
                raise NonFiniteLossError(
                    f"fold {fold}, epoch {epoch}, step {micro_step}: training loss is {loss.item()} "
                    f"(terms: { {k: round(v.item(), 4) for k, v in terms.items()} }). "
                    "Lower train.lr or check the features for NaN values.")
            scaler.scale(loss / settings.grad_accumulation).backward()

            # Optimizer step after every grad_accumulation micro-batches and at the end of the epoch.
            if (micro_step + 1) % settings.grad_accumulation == 0 or micro_step == micro_batches - 1:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(head.parameters(), settings.grad_clip_norm)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
                scheduler.step()

            term_sums["total"] += loss.item() * len(batch)
            for name, value in terms.items():
                term_sums[name] += value.item() * len(batch)
            seen += len(batch)

        # Validation and early stopping.
        val_map = validation_map(head, val)
        row = {"fold": fold, "epoch": epoch, "lr": optimizer.param_groups[0]["lr"]}
        row.update({f"loss_{name}": value / seen for name, value in term_sums.items()})
        row["val_mAP"] = val_map
        row["seconds"] = time.perf_counter() - started
        improved = val_map > best.best_val_map
        row["is_best"] = improved
        best.history.append(row)
        log.info("fold %d epoch %3d | loss %.4f (bce %.4f align %.4f hash %.4f) | val mAP %.4f | lr %.2e | %.1fs%s",
                 fold, epoch, row["loss_total"], row["loss_bce"], row["loss_alignment"],
                 row["loss_hash_regularisation"], val_map, row["lr"], row["seconds"],
                 " *" if improved else "")
        if on_epoch is not None:
            on_epoch(row)

        if improved:
            best.best_val_map, best.best_epoch = val_map, epoch
            best.best_state = {k: v.detach().cpu().clone() for k, v in head.state_dict().items()}
            epochs_without_improvement = 0
        else:
            epochs_without_improvement += 1
            if epochs_without_improvement >= settings.early_stopping_patience:
                log.info("fold %d: early stop after epoch %d, no improvement for %d epochs",
                         fold, epoch, epochs_without_improvement)
                break
    return best
