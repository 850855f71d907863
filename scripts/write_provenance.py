"""Rule write_provenance: what produced the results of this experiment."""

import json

import pandas as pd
import yaml

from mmhash.atomic import atomic_file
from mmhash.logs import rule_logging
from mmhash.provenance import build_provenance

with rule_logging(snakemake.log[0]) as log:
    config = snakemake.params.config
    index = pd.read_parquet(snakemake.input.index, columns=["file_path"])
    with open(f"{snakemake.input.store}/store.json", encoding="utf-8") as handle:
        feature_meta = json.load(handle)
    record = build_provenance(
        config, snakemake.params.workflow_dir,
        {"instances": snakemake.input.instances, "captions": snakemake.input.captions,
         "karpathy_split": [snakemake.input.karpathy]},
        index["file_path"].tolist(), snakemake.input.splits, feature_meta,
    )
    with atomic_file(snakemake.output.provenance) as tmp:
        tmp.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    with atomic_file(snakemake.output.config) as tmp:
        tmp.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    log.info("git %s, encoder %s", record["git"], record["encoder"]["name_or_path"])
