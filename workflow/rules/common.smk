# Config validation, wildcard constraints and input helpers shared by all rules.

import copy
import json
import os

from snakemake.utils import validate

from mmhash.config_check import ConfigError, check_config
from mmhash.encoder_source import check_encoder_available
from mmhash.provenance import source_fingerprint


# check_config gives one readable line per problem, and validate fills in the defaults.
SCHEMA_PATH = os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml")
check_config(config, SCHEMA_PATH)
validate(config, schema=SCHEMA_PATH, set_default=True)

EXPERIMENT = config["experiment"]
RESULTS = f"results/{EXPERIMENT}"
LOGS = f"logs/{EXPERIMENT}"
BENCHMARKS = f"{RESULTS}/benchmarks"
FOLDS = list(range(config["splits"]["n_folds"]))
ENV = "../../envs/mmhash.yaml"

# Fingerprints of the package modules each stage runs. A rule takes its
# fingerprint as a parameter, so editing a module reruns the rules that use it
# and everything downstream, and nothing upstream.
CODE = {
    "demo": source_fingerprint(["demo_data"]),
    "tiny_encoder": source_fingerprint(["tiny_encoder"]),
    "index": source_fingerprint(["coco_index", "image_io"]),
    "splits": source_fingerprint(["splits"]),
    "features": source_fingerprint(["encoder", "encoder_source", "embedding", "feature_store", "image_io"]),
    "fold_view": source_fingerprint(["fold_data"]),
    "train": source_fingerprint(["model", "losses", "training", "fold_training", "predict", "metrics"]),
    "evaluate": source_fingerprint(["evaluation", "knn", "metrics", "predict", "model"]),
    "aggregate": source_fingerprint(["aggregate", "plots"]),
}


wildcard_constraints:
    fold=r"\d+",


def fold_train_settings(fold):
    """The train section for one fold: `train` with the fold's entry of `fold_overrides` applied."""
    settings = copy.deepcopy(config["train"])
    for override in config["fold_overrides"]:
        if override["fold"] == int(fold):
            settings.update(override["train"])
    return settings


# A missing encoder is reported now rather than when its first job starts.
if not config["encoder"]["generate_tiny"]:
    check_encoder_available(config["encoder"]["name_or_path"])


for _override in config["fold_overrides"]:
    if _override["fold"] not in FOLDS:
        raise ValueError(
            f"fold_overrides names fold {_override['fold']}, but splits.n_folds is "
            f"{config['splits']['n_folds']} (folds 0 to {FOLDS[-1]}); fix the fold index."
        )
    # The merged settings must satisfy the train schema too.
    try:
        check_config({**config, "train": fold_train_settings(_override["fold"])}, SCHEMA_PATH)
    except ConfigError as error:
        raise ConfigError(f"fold_overrides, fold {_override['fold']}: {error}") from None


def get_train_params(wildcards):
    """Everything that determines a fold's trained weights; a change reruns that fold only."""
    return {
        "model": config["model"],
        "loss": config["loss"],
        "train": fold_train_settings(wildcards.fold),
    }


def encoder_params():
    """Encoder settings that change the features; batch size and workers only change speed."""
    keys = ("name_or_path", "max_num_patches", "max_text_length")
    return {key: config["encoder"][key] for key in keys}


def dataset_policy():
    """What the index does with unusual images; see the dataset section of the schema."""
    keys = ("unmatched_images", "images_without_captions", "images_without_labels", "bad_images", "max_image_pixels")
    return {key: config["dataset"][key] for key in keys}


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
    """A local encoder folder is an input, so replacing it reruns encoding; a cached Hub id is not a file."""
    name = config["encoder"]["name_or_path"]
    if config["encoder"]["generate_tiny"] or os.path.isdir(name):
        return {"model": name}
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
