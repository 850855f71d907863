"""Cross-validation summary: per-fold values and their mean, std, min, max and median."""

import pandas as pd

from .evaluation import summarise
from .metrics import METRIC_NAMES

# Prefix of each prediction method's metrics in the summary.
METHODS = {"classifier": "", "knn": "knn_"}


def fold_metrics_table(fold_metrics):
    """Tabulate the fold metrics: one row per fold, one column per metric (classifier, then ``knn_``-prefixed KNN).

    Parameters
    ----------
    fold_metrics : dict fold -> metrics dict written by ``evaluate_fold``
    """
    rows = []
    for fold, metrics in sorted(fold_metrics.items()):
        row = {"fold": fold}
        for method, prefix in METHODS.items():
            row.update({prefix + name: metrics[method][name] for name in METRIC_NAMES})
            row[prefix + "excluded_classes"] = metrics[method]["excluded_classes"]
        rows.append(row)
    return pd.DataFrame(rows)


def summarise_folds(table):
    """Return {metric: {values, mean, std (ddof=1), min, max, median}} over the folds of ``table``."""
    metric_columns = [prefix + name for prefix in METHODS.values() for name in METRIC_NAMES]
    return {column: summarise(table[column].tolist()) for column in metric_columns}


def summary_table(summary, folds):
    """Flatten the summary into one row per metric with statistics and per-fold columns."""
    rows = []
    for metric, stats in summary.items():
        row = {"metric": metric, **{k: stats[k] for k in ("mean", "std", "min", "max", "median")}}
        row.update({f"fold_{fold}": value for fold, value in zip(folds, stats["values"])})
        rows.append(row)
    return pd.DataFrame(rows)


def paper_line(summary, metric="mAP", decimals=4):
    """Format the reported figure, for example ``mAP: 0.6787 ± 0.0129 (5 folds)``."""
    stats = summary[metric]
    return f"{metric}: {stats['mean']:.{decimals}f} ± {stats['std']:.{decimals}f} ({len(stats['values'])} folds)"


def per_class_table(per_fold_tables):
    """Tabulate per-class AP: one row per class, its AP in each fold and the mean over folds where it is defined.

    Parameters
    ----------
    per_fold_tables : list of DataFrames written by ``evaluate_fold`` (class columns, ``fold``,
        ``average_precision``)
    """
    long = pd.concat(per_fold_tables, ignore_index=True)
    wide = long.pivot(index=["class_index", "category_id", "name"], columns="fold", values="average_precision")
    wide.columns = [f"fold_{fold}" for fold in wide.columns]
    wide.insert(0, "mean_AP", wide.mean(axis=1))
    return wide.reset_index()
