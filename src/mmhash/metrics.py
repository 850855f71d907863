"""Multi-label classification metrics, computed with scikit-learn.

Classes without a positive image in the evaluated set have no defined average
precision or ROC AUC. scikit-learn's macro averages would count them as 0 (AP)
or fail (AUC), so the macro ranking metrics here average over the classes
that have at least one positive, and the number of excluded classes is
reported beside them.
"""

import logging
import warnings

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    hamming_loss,
    label_ranking_average_precision_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

log = logging.getLogger(__name__)

METRIC_NAMES = [
    "mAP", "micro_AP", "F1_micro", "F1_macro", "precision_macro", "recall_macro",
    "ROC_AUC_macro", "hamming_loss", "LRAP",
]


class MissingPositivesWarning(UserWarning):
    """Some classes have no positive sample in the evaluated set and are left out of macro AP and AUC."""


def classes_with_positives(y_true):
    """Return a boolean mask (n_classes,) of classes with at least one positive."""
    return np.asarray(y_true).sum(axis=0) > 0


def mean_average_precision(y_true, y_score):
    """Macro AP over the classes with at least one positive; NaN if no class has one.

    Parameters
    ----------
    y_true : array (n_samples, n_classes) of 0/1
    y_score : array (n_samples, n_classes)
    """
    has_positive = classes_with_positives(y_true)
    if not has_positive.any():
        return float("nan")
    return float(average_precision_score(np.asarray(y_true)[:, has_positive], np.asarray(y_score)[:, has_positive],
                                         average="macro"))


def multilabel_metrics(y_true, y_score, threshold=0.5):
    """Compute the reported metrics for one evaluated set.

    Parameters
    ----------
    y_true : array (n_samples, n_classes) of 0/1
    y_score : array (n_samples, n_classes) of probabilities in [0, 1]
    threshold : float
        Scores at or above it count as positive predictions for F1,
        precision, recall and Hamming loss.

    Returns
    -------
    dict with the values of ``METRIC_NAMES`` and ``excluded_classes``, the
    number of classes left out of the macro AP and ROC AUC.
    """
    y_true = np.asarray(y_true).astype(np.int64)
    y_score = np.asarray(y_score, dtype=np.float64)
    y_pred = (y_score >= threshold).astype(np.int64)
    has_positive = classes_with_positives(y_true)
    # ROC AUC also needs a negative in the class.
    has_both = has_positive & (y_true.sum(axis=0) < len(y_true))
    excluded = int((~has_positive).sum())
    if excluded:
        warnings.warn(f"{excluded} of {y_true.shape[1]} classes have no positive sample; "
                      "they are left out of mAP and macro ROC AUC", MissingPositivesWarning, stacklevel=2)

    return {
        "mAP": mean_average_precision(y_true, y_score),
        "micro_AP": float(average_precision_score(y_true, y_score, average="micro")),
        "F1_micro": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        "F1_macro": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "precision_macro": float(precision_score(y_true, y_pred, average="macro", zero_division=0)),
        "recall_macro": float(recall_score(y_true, y_pred, average="macro", zero_division=0)),
        "ROC_AUC_macro": (float(roc_auc_score(y_true[:, has_both], y_score[:, has_both], average="macro"))
                          if has_both.any() else float("nan")),
        "hamming_loss": float(hamming_loss(y_true, y_pred)),
        "LRAP": float(label_ranking_average_precision_score(y_true, y_score)),
        "excluded_classes": excluded,
    }


def per_class_average_precision(y_true, y_score):
    """Return AP per class (n_classes,), NaN for classes without a positive."""
    y_true = np.asarray(y_true)
    values = np.full(y_true.shape[1], np.nan)
    for column in np.flatnonzero(classes_with_positives(y_true)):
        values[column] = average_precision_score(y_true[:, column], y_score[:, column])
    return values
