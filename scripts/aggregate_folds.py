"""Rule aggregate_folds: per-fold metrics, their mean ± std and the other statistics over folds."""

import json

import pandas as pd

from mmhash.aggregate import fold_metrics_table, paper_line, per_class_table, summarise_folds, summary_table
from mmhash.atomic import write_csv, write_json
from mmhash.logs import rule_logging
from mmhash.plots import plot_learning_curves

with rule_logging(snakemake.log[0]) as log:
    fold_metrics = {}
    for path in snakemake.input.metrics:
        with open(path, encoding="utf-8") as handle:
            metrics = json.load(handle)
        fold_metrics[metrics["fold"]] = metrics
    table = fold_metrics_table(fold_metrics)
    summary = summarise_folds(table)
    line = paper_line(summary, decimals=snakemake.params.decimals)

    write_csv(snakemake.output.fold_metrics, table)
    write_csv(snakemake.output.summary_csv, summary_table(summary, table["fold"].tolist()))
    write_json(snakemake.output.summary_json, {"n_folds": len(table), "folds": table["fold"].tolist(),
                                               "paper_line": line, "metrics": summary})
    write_csv(snakemake.output.per_class_ap, per_class_table([pd.read_csv(p) for p in snakemake.input.per_class_ap]))
    plot_learning_curves([pd.read_csv(path) for path in snakemake.input.histories], snakemake.output.curves)
    log.info("%s", line)
    log.info("%s", paper_line(summary, metric="knn_mAP", decimals=snakemake.params.decimals))
