"""Rule index_dataset: COCO instances, captions and the Karpathy split into one checked index table."""

import json

from mmhash.atomic import atomic_file, write_csv
from mmhash.coco_index import build_index, counts_table
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]) as log:
    index, classes, skipped, counts = build_index(
        snakemake.input.instances, snakemake.input.captions, snakemake.input.karpathy,
        snakemake.params.image_root, policy=snakemake.params.policy, workers=snakemake.threads,
    )
    with atomic_file(snakemake.output.index) as tmp:
        index.to_parquet(tmp, index=False)
    write_csv(snakemake.output.classes, classes)
    write_csv(snakemake.output.skipped, skipped)
    write_csv(snakemake.output.summary, counts_table(counts))
    log.info("index counts: %s", json.dumps(counts))
    if len(skipped):
        log.warning("%d images skipped: %s (listed in %s)", len(skipped), json.dumps(counts["skipped_by_reason"]),
                    snakemake.output.skipped)
