"""Rule collect_benchmarks: the benchmark records of every job in one table."""

from pathlib import Path

import pandas as pd

from mmhash.atomic import write_csv
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]) as log:
    rows = []
    for path in map(Path, snakemake.input):
        record = pd.read_csv(path, sep="\t")
        # benchmarks/<rule>.tsv or benchmarks/<rule>/fold_<k>.tsv
        job = path.stem if path.parent.name == "benchmarks" else f"{path.parent.name} {path.stem}"
        rows.append(record.assign(job=job))
    table = pd.concat(rows, ignore_index=True)
    columns = ["job", "s", "max_rss", "max_uss", "cpu_time", "mean_load", "io_in", "io_out"]
    table = table[[c for c in columns if c in table.columns]].rename(
        columns={"s": "wall_seconds", "max_rss": "max_rss_mb", "max_uss": "max_uss_mb", "cpu_time": "cpu_seconds"})
    write_csv(snakemake.output.table, table)
    log.info("%d jobs, %.1f s wall time in total", len(table), table["wall_seconds"].sum())
