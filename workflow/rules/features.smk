# Features: every image and caption encoded once, then a per-fold view of that store.


rule embed_features:
    """Encode every image and caption once with the frozen encoder into the shared feature store."""
    input:
        unpack(get_encoder_input),
        index=f"{RESULTS}/index/images.parquet",
    output:
        store=directory(f"{RESULTS}/features"),
    params:
        encoder=encoder_params(),
        code=CODE["features"],
    threads: config["threads"]
    resources:
        gpu=1,
    log:
        f"{LOGS}/embed_features.log",
    benchmark:
        f"{BENCHMARKS}/embed_features.tsv"
    conda:
        ENV
    script:
        "../../scripts/embed_features.py"


rule cache_fold_features:
    """The fold's training and validation rows of the store, and statistics fitted on its training part."""
    input:
        store=f"{RESULTS}/features",
        index=f"{RESULTS}/index/images.parquet",
        classes=f"{RESULTS}/index/classes.csv",
        splits=f"{RESULTS}/splits/folds.csv",
    output:
        view=f"{RESULTS}/folds/fold_{{fold}}/view.npz",
    params:
        code=CODE["fold_view"],
    log:
        f"{LOGS}/cache_fold_features/fold_{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/cache_fold_features/fold_{{fold}}.tsv"
    conda:
        ENV
    script:
        "../../scripts/cache_fold_features.py"
