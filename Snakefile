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


rule all:
    input:
        summary=f"{RESULTS}/cv_summary.json",
        test=f"{RESULTS}/test_metrics.json",
    default_target: True


onsuccess:
    print_paper_line()
