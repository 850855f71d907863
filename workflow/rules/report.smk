# Provenance record and runtime table for the report.


rule write_provenance:
    """Record the code, software, hardware, data hashes, encoder identity, seeds and config behind the results."""
    input:
        unpack(get_dataset_inputs),
        index=f"{RESULTS}/index/images.parquet",
        splits=f"{RESULTS}/splits/folds.csv",
        store=f"{RESULTS}/features",
        summary=f"{RESULTS}/cv_summary.json",
        test=f"{RESULTS}/test_metrics.json",
    output:
        provenance=report(
            f"{RESULTS}/provenance.json",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
        config=report(
            f"{RESULTS}/resolved_config.yaml",
            caption="../report/resolved_config.rst",
            category="Provenance",
        ),
    params:
        config=config,
        workflow_dir=workflow.basedir,
        code=source_fingerprint(["provenance"]),
    log:
        f"{LOGS}/write_provenance.log",
    conda:
        ENV
    script:
        "../../scripts/write_provenance.py"


rule collect_benchmarks:
    """One table of the wall time and memory of every job of the experiment."""
    input:
        index=f"{BENCHMARKS}/index_dataset.tsv",
        splits=f"{BENCHMARKS}/make_splits.tsv",
        embed=f"{BENCHMARKS}/embed_features.tsv",
        views=expand(f"{BENCHMARKS}/cache_fold_features/fold_{{fold}}.tsv", fold=FOLDS),
        train=expand(f"{BENCHMARKS}/train_fold/fold_{{fold}}.tsv", fold=FOLDS),
        evaluate=expand(f"{BENCHMARKS}/evaluate_fold/fold_{{fold}}.tsv", fold=FOLDS),
        aggregate=f"{BENCHMARKS}/aggregate_folds.tsv",
        test=f"{BENCHMARKS}/evaluate_test.tsv",
    output:
        table=report(
            f"{RESULTS}/benchmarks.csv",
            caption="../report/benchmarks.rst",
            category="Runtime",
        ),
    log:
        f"{LOGS}/collect_benchmarks.log",
    conda:
        ENV
    script:
        "../../scripts/collect_benchmarks.py"
