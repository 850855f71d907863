# Config validation, wildcard constraints and input helpers shared by all rules.

import json
import os

from snakemake.utils import validate


validate(config, schema="../schemas/config.schema.yaml", set_default=True)

EXPERIMENT = config["experiment"]
RESULTS = f"results/{EXPERIMENT}"
LOGS = f"logs/{EXPERIMENT}"
FOLDS = list(range(config["splits"]["n_folds"]))
ENV = "../../envs/mmhash.yaml"


wildcard_constraints:
    fold=r"\d+",


def dataset_path(key):
    """Path of a dataset file from the config, relative to dataset.root unless absolute."""
    value = config["dataset"][key]
    if isinstance(value, list):
        return [os.path.join(config["dataset"]["root"], item) for item in value]
    return os.path.join(config["dataset"]["root"], value)


def get_dataset_inputs(wildcards):
    return {
        "instances": dataset_path("instances"),
        "captions": dataset_path("captions"),
        "karpathy": dataset_path("karpathy_split"),
    }


def get_encoder_input(wildcards):
    """The generated tiny encoder is a workflow output; a real checkpoint is read from disk or the cache."""
    if config["encoder"]["generate_tiny"]:
        return {"model": config["encoder"]["name_or_path"]}
    return {}


def fold_outputs(name):
    """Per-fold output paths of ``folds/fold_{fold}/<name>`` for every fold."""
    return expand(f"{RESULTS}/folds/fold_{{fold}}/{name}", fold=FOLDS)


def print_paper_line():
    path = f"{RESULTS}/cv_summary.json"
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            summary = json.load(handle)
        print(f"\n{EXPERIMENT}: {summary['paper_line']}  (details: {path})")
