# Aggregation of the per-fold metrics into the cross-validation result.


rule aggregate_folds:
    """Per-fold metrics with their mean, sample std, min, max and median over folds."""
    input:
        metrics=fold_outputs("metrics.json"),
        histories=fold_outputs("history.csv"),
        per_class_ap=fold_outputs("per_class_ap.csv"),
    output:
        summary_json=f"{RESULTS}/cv_summary.json",
        summary_csv=report(
            f"{RESULTS}/cv_summary.csv",
            caption="../report/cv_summary.rst",
            category="Cross-validation",
        ),
        fold_metrics=report(
            f"{RESULTS}/fold_metrics.csv",
            caption="../report/fold_metrics.rst",
            category="Cross-validation",
        ),
        per_class_ap=report(
            f"{RESULTS}/per_class_ap.csv",
            caption="../report/per_class_ap.rst",
            category="Cross-validation",
        ),
        curves=report(
            f"{RESULTS}/learning_curves.png",
            caption="../report/learning_curves.rst",
            category="Training",
        ),
    params:
        decimals=config["aggregate"]["decimals"],
        code=CODE["aggregate"],
    log:
        f"{LOGS}/aggregate_folds.log",
    benchmark:
        f"{BENCHMARKS}/aggregate_folds.tsv"
    conda:
        ENV
    script:
        "../../scripts/aggregate_folds.py"
