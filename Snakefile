# mmhash-cv: k-fold cross-validation of multimodal hashing heads on frozen dual encoders.
#
# DAG: dataset index -> fold split -> feature store (encode once) -> per-fold
# views -> per-fold training -> per-fold evaluation -> aggregation -> test set.
# Run `snakemake` (the default profile sets --cores 1 --resources gpu=1).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/splits.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/report.smk"


# Every stage's outputs are targets, not only the final tables: Snakemake does
# not remake a deleted intermediate file whose consumers are up to date, so
# listing them here makes a deleted fold checkpoint rerun that fold.
rule all:
    input:
        index=f"{RESULTS}/index/images.parquet",
        splits=f"{RESULTS}/splits/folds.csv",
        store=f"{RESULTS}/features",
        views=fold_outputs("view.npz"),
        weights=fold_outputs("model.safetensors"),
        histories=fold_outputs("history.csv"),
        fold_metrics=fold_outputs("metrics.json"),
        summary=f"{RESULTS}/cv_summary.json",
        test=f"{RESULTS}/test_metrics.json",
        provenance=f"{RESULTS}/provenance.json",
        benchmarks=f"{RESULTS}/benchmarks.csv",
    default_target: True


onsuccess:
    print_paper_line()
