# Evaluation: each fold on its validation images, then all folds on the held-out test set.


rule evaluate_fold:
    """Validation metrics of a fold's best checkpoint, for the classifier and for KNN voting."""
    input:
        store=f"{RESULTS}/features",
        view=f"{RESULTS}/folds/fold_{{fold}}/view.npz",
        weights=f"{RESULTS}/folds/fold_{{fold}}/model.safetensors",
        classes=f"{RESULTS}/index/classes.csv",
    output:
        metrics=f"{RESULTS}/folds/fold_{{fold}}/metrics.json",
        per_class_ap=f"{RESULTS}/folds/fold_{{fold}}/per_class_ap.csv",
    params:
        settings=config["evaluate"],
        code=CODE["evaluate"],
    threads: config["threads"]
    resources:
        gpu=1,
    log:
        f"{LOGS}/evaluate_fold/fold_{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/evaluate_fold/fold_{{fold}}.tsv"
    conda:
        ENV
    script:
        "../../scripts/evaluate_fold.py"


rule evaluate_test:
    """Held-out test metrics of the best fold, of every fold (mean ± std) and of the fold ensemble."""
    input:
        store=f"{RESULTS}/features",
        index=f"{RESULTS}/index/images.parquet",
        classes=f"{RESULTS}/index/classes.csv",
        splits=f"{RESULTS}/splits/folds.csv",
        weights=fold_outputs("model.safetensors"),
        views=fold_outputs("view.npz"),
        metrics=fold_outputs("metrics.json"),
    output:
        metrics=f"{RESULTS}/test_metrics.json",
        table=report(
            f"{RESULTS}/test_metrics.csv",
            caption="../report/test_metrics.rst",
            category="Held-out test set",
        ),
    params:
        settings=config["evaluate"],
        code=CODE["evaluate"],
    threads: config["threads"]
    resources:
        gpu=1,
    log:
        f"{LOGS}/evaluate_test.log",
    benchmark:
        f"{BENCHMARKS}/evaluate_test.tsv"
    conda:
        ENV
    script:
        "../../scripts/evaluate_test.py"
