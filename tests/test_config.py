"""Config validation: the shipped configs are valid, and each kind of mistake gets a one-line explanation."""

import copy

import pytest
import yaml

from conftest import REPO, load_default_config, make_workdir, run_snakemake
from mmhash.config_check import ConfigError, check_config

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.mark.parametrize("name", ["config.yaml", "coco2014.yaml"])
def test_shipped_configs_are_valid(name):
    check_config(yaml.safe_load((REPO / "config" / name).read_text()), SCHEMA)


@pytest.mark.parametrize("section,key,value,message", [
    ("train", "max_epoch", 3, "unknown key 'max_epoch' in train; allowed keys: batch_size"),
    ("train", "lr", 5, "train.lr: 5 is greater than the maximum of 1"),
    ("train", "batch_size", 0, "train.batch_size: 0 is less than the minimum of 1"),
    ("encoder", "batch_size", "big", "encoder.batch_size: 'big' is not of type 'integer'"),
    ("splits", "n_folds", 1, "splits.n_folds: 1 is less than the minimum of 2"),
    ("model", "hash_bits", 0, "model.hash_bits: 0 is less than the minimum of 1"),
    ("tracking", "mode", "cloud", "tracking.mode: 'cloud' is not one of"),
])
def test_invalid_value_is_named(section, key, value, message):
    config = copy.deepcopy(load_default_config())
    config.setdefault(section, {})[key] = value
    with pytest.raises(ConfigError, match="invalid config") as error:
        check_config(config, SCHEMA)
    assert message in str(error.value)


def test_misspelt_top_level_key():
    config = {**load_default_config(), "experimnet": "x"}
    with pytest.raises(ConfigError, match="unknown key 'experimnet'; allowed keys: aggregate"):
        check_config(config, SCHEMA)


def test_override_of_missing_fold_rejected(tmp_path):
    config = make_workdir(tmp_path, {"fold_overrides": [{"fold": 7, "train": {"seed": 1}}]})
    process = run_snakemake(tmp_path, config, "--dry-run", check=False)
    assert process.returncode != 0
    assert "fold_overrides names fold 7, but splits.n_folds is 5" in process.stdout + process.stderr


def test_invalid_fold_override_value_rejected(tmp_path):
    config = make_workdir(tmp_path, {"fold_overrides": [{"fold": 1, "train": {"lr": 5}}]})
    process = run_snakemake(tmp_path, config, "--dry-run", check=False)
    assert process.returncode != 0
    assert "fold_overrides, fold 1: invalid config" in process.stdout + process.stderr
    assert "train.lr: 5 is greater than the maximum of 1" in process.stdout + process.stderr
