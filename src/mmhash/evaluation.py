"""Evaluation of fold models on their validation images and on the held-out test set."""

import logging

import numpy as np
import pandas as pd

from .fold_data import FoldTensors, label_matrix
from .fold_training import load_fold_tensors
from .knn import knn_label_scores
from .metrics import METRIC_NAMES, multilabel_metrics, per_class_average_precision
from .model import load_head
from .predict import predict_images

log = logging.getLogger(__name__)


def score_predictions(labels, classifier_scores, knn_scores, threshold):
    """Return {"classifier": metrics, "knn": metrics} for one evaluated set."""
    labels = labels.cpu().numpy()
    return {
        "classifier": multilabel_metrics(labels, classifier_scores.cpu().numpy(), threshold),
        "knn": multilabel_metrics(labels, knn_scores.cpu().numpy(), threshold),
    }


def knn_scores_for(head, database, queries, query_codes, settings):
    """KNN label scores of ``queries`` against the binary codes of ``database`` images."""
    database_codes = predict_images(head, database).codes
    return knn_label_scores(query_codes, database_codes, database.labels, k=settings["knn_k"],
                            temperature=settings["knn_temperature"])


def evaluate_fold(store, view, weights_path, settings, device):
    """Evaluate a fold's best checkpoint on its validation images.

    The classifier probabilities and the binary codes are averaged over all
    captions of each image, so the same checkpoint always gives the same
    numbers. The KNN database is the fold's training images.

    Returns
    -------
    metrics : dict {"classifier": {...}, "knn": {...}, "val_images": n}
    per_class_ap : float array (n_classes,), NaN where a class has no positive
    """
    head = load_head(weights_path, device)
    train, val = load_fold_tensors(store, view, device)
    predictions = predict_images(head, val)
    knn = knn_scores_for(head, train, val, predictions.codes, settings)
    metrics = score_predictions(val.labels, predictions.probabilities, knn, settings["threshold"])
    metrics["val_images"] = len(val)
    per_class = per_class_average_precision(val.labels.cpu().numpy(), predictions.probabilities.cpu().numpy())
    return metrics, per_class


def summarise(values):
    """Mean, sample standard deviation (ddof=1), min, max and median of a list of numbers."""
    array = np.asarray(values, dtype=np.float64)
    return {
        "values": array.tolist(),
        "mean": float(array.mean()),
        "std": float(array.std(ddof=1)) if len(array) > 1 else float("nan"),
        "min": float(array.min()),
        "max": float(array.max()),
        "median": float(np.median(array)),
    }


def evaluate_test(store, test_ids, labels_by_id, n_classes, fold_inputs, settings, device):
    """Evaluate every fold's model on the held-out test images.

    Parameters
    ----------
    test_ids : int64 array of the test image ids
    labels_by_id : dict image id -> list of class indices
    fold_inputs : list of (fold, weights path, fold view dict, validation metrics dict)

    Returns
    -------
    dict with the best fold (by validation mAP) and its classifier and KNN
    metrics, each fold's classifier metrics with their mean and std, and the
    ensemble (mean probability over fold models).
    """
    test = FoldTensors.gather(store, store.rows_of(test_ids),
                              label_matrix([labels_by_id[i] for i in test_ids], n_classes), device)
    labels = test.labels.cpu().numpy()
    per_fold, probabilities = {}, []
    for fold, weights_path, _, _ in fold_inputs:
        predictions = predict_images(load_head(weights_path, device), test)
        probabilities.append(predictions.probabilities.cpu().numpy())
        per_fold[fold] = multilabel_metrics(labels, probabilities[-1], settings["threshold"])

    val_maps = {fold: metrics["classifier"]["mAP"] for fold, _, _, metrics in fold_inputs}
    best_fold = max(val_maps, key=val_maps.get)
    best_weights, best_view = next((w, v) for f, w, v, _ in fold_inputs if f == best_fold)
    head = load_head(best_weights, device)
    train, _ = load_fold_tensors(store, best_view, device)
    best_predictions = predict_images(head, test)
    knn = knn_scores_for(head, train, test, best_predictions.codes, settings)

    return {
        "test_images": len(test),
        "best_fold": int(best_fold),
        "best_fold_val_mAP": val_maps[best_fold],
        "best_fold_metrics": score_predictions(test.labels, best_predictions.probabilities, knn, settings["threshold"]),
        "per_fold": {str(f): m for f, m in per_fold.items()},
        "per_fold_summary": {name: summarise([m[name] for m in per_fold.values()]) for name in METRIC_NAMES},
        "ensemble": multilabel_metrics(labels, np.mean(probabilities, axis=0), settings["threshold"]),
    }


def test_metrics_table(result):
    """Flatten the test result into a table: one row per model, one column per metric."""
    rows = [{"model": f"best fold ({result['best_fold']}), classifier", **result["best_fold_metrics"]["classifier"]},
            {"model": f"best fold ({result['best_fold']}), KNN", **result["best_fold_metrics"]["knn"]},
            {"model": "ensemble of fold models", **result["ensemble"]}]
    rows += [{"model": f"fold {fold}", **metrics} for fold, metrics in result["per_fold"].items()]
    summary = result["per_fold_summary"]
    rows.append({"model": "fold models, mean", **{name: summary[name]["mean"] for name in METRIC_NAMES}})
    rows.append({"model": "fold models, std", **{name: summary[name]["std"] for name in METRIC_NAMES}})
    return pd.DataFrame(rows)
