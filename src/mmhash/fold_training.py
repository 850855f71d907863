"""Train the hashing head of one fold from the feature store and write its outputs."""

import logging
import platform

import pandas as pd
import torch

from .atomic import atomic_file, write_csv, write_json
from .fold_data import FoldTensors, load_fold_view
from .feature_store import FeatureStore
from .losses import LossWeights
from .model import HashHead, HeadConfig, save_head
from .tracking import NullTracker
from .training import TrainSettings, train_head

log = logging.getLogger(__name__)


def head_config_from(config, feature_dim, n_classes):
    """Build the ``HeadConfig`` from the ``model`` config section."""
    model = config["model"]
    return HeadConfig(feature_dim=feature_dim, n_classes=n_classes, hidden_sizes=list(model["hidden_sizes"]),
                      dropout=model["dropout"], hash_bits=model["hash_bits"])


def load_fold_tensors(store, view, device):
    """Return the training and validation ``FoldTensors`` of a fold view."""
    train = FoldTensors.gather(store, view["train_rows"], view["train_labels"], device)
    val = FoldTensors.gather(store, view["val_rows"], view["val_labels"], device)
    return train, val


def run_train_fold(store_dir, view_path, config, fold, device, weights_path, history_path, resolved_config_path,
                   tracker=None):
    """Train fold ``fold`` and write its best weights, per-epoch history and resolved config.

    ``config`` contains the ``model``, ``loss`` and ``train`` sections, with the
    fold's overrides applied. Only the best checkpoint's weights and buffers
    are written (safetensors, no optimizer state). ``tracker`` receives each
    epoch's history row and the final summary.
    """
    tracker = tracker or NullTracker()
    store = FeatureStore.open(store_dir)
    view = load_fold_view(view_path)
    train, val = load_fold_tensors(store, view, device)
    log.info("fold %d: %d training and %d validation images, %d and %d captions, on %s",
             fold, len(train), len(val), train.text.shape[0], val.text.shape[0], device)

    settings = TrainSettings(**config["train"])
    torch.manual_seed(settings.seed)
    head = HashHead(head_config_from(config, store.meta["feature_dim"], train.labels.shape[1]))
    head.set_magnitude_stats(view["magnitude_mean"], view["magnitude_std"])
    head.to(device)

    result = train_head(head, train, val, settings, LossWeights(**config["loss"]), fold=fold,
                        on_epoch=tracker.log_epoch)
    head.load_state_dict(result.best_state)
    log.info("fold %d: best epoch %d, validation mAP %.4f", fold, result.best_epoch, result.best_val_map)
    tracker.set_summary({"best_epoch": result.best_epoch, "best_val_mAP": result.best_val_map,
                         "epochs_run": len(result.history)})

    with atomic_file(weights_path) as tmp:
        save_head(head, tmp)
    write_csv(history_path, pd.DataFrame(result.history))
    write_json(resolved_config_path, {
        "fold": fold, "best_epoch": result.best_epoch, "best_val_mAP": result.best_val_map,
        "epochs_run": len(result.history), "device": str(device), "torch": torch.__version__,
        "python": platform.python_version(), "feature_store": store.meta, "config": config,
    })
    return result
