"""Rule make_splits: hold out the test split and cut the development pool into k folds."""

import json

import pandas as pd

from mmhash.atomic import write_csv
from mmhash.logs import rule_logging
from mmhash.splits import assign_folds, check_folds

with rule_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings
    table = assign_folds(pd.read_parquet(snakemake.input.index, columns=["image_id", "split"]),
                         settings["dev_splits"], settings["test_split"], settings["n_folds"],
                         settings["seed"], settings["shuffle"])
    checks = check_folds(table, settings["n_folds"])
    log.info("checked: folds are disjoint, every development image is validated exactly once, "
             "no test image is in a fold")
    log.info("split counts: %s", json.dumps(checks))
    write_csv(snakemake.output.splits, table)
