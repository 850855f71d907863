# Training of the hashing head, one job per fold.


rule train_fold:
    """Train the hashing head of one fold on cached features; keep the best checkpoint."""
    input:
        store=f"{RESULTS}/features",
        view=f"{RESULTS}/folds/fold_{{fold}}/view.npz",
    output:
        weights=f"{RESULTS}/folds/fold_{{fold}}/model.safetensors",
        history=f"{RESULTS}/folds/fold_{{fold}}/history.csv",
        resolved_config=f"{RESULTS}/folds/fold_{{fold}}/resolved_config.json",
    params:
        settings=get_train_params,
        code=CODE["train"],
    threads: config["threads"]
    resources:
        gpu=1,
    log:
        f"{LOGS}/train_fold/fold_{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_fold/fold_{{fold}}.tsv"
    conda:
        ENV
    script:
        "../../scripts/train_fold.py"
