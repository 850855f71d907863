# The k-fold split of the development pool, written once and read by every later rule.


rule make_splits:
    """Hold out the test split and assign each development image its validation fold."""
    input:
        index=f"{RESULTS}/index/images.parquet",
    output:
        splits=f"{RESULTS}/splits/folds.csv",
    params:
        settings=config["splits"],
        code=CODE["splits"],
    log:
        f"{LOGS}/make_splits.log",
    benchmark:
        f"{BENCHMARKS}/make_splits.tsv"
    conda:
        ENV
    script:
        "../../scripts/make_splits.py"
