"""Rule index_dataset: COCO instances, captions and the Karpathy split into one index table."""

import json

from mmhash.atomic import atomic_file, write_csv
from mmhash.coco_index import build_index
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]) as log:
    index, classes, counts = build_index(
        snakemake.input.instances, snakemake.input.captions, snakemake.input.karpathy, snakemake.params.image_root
    )
    with atomic_file(snakemake.output.index) as tmp:
        index.to_parquet(tmp, index=False)
    write_csv(snakemake.output.classes, classes)
    log.info("index counts: %s", json.dumps(counts))
