"""Properties of the k-fold split on random development pools."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from mmhash.splits import assign_folds, check_folds, fold_members

DEV = ["train", "restval", "val"]


def random_index(seed, n_images):
    rng = np.random.default_rng(seed)
    ids = rng.choice(np.arange(1, 10 * n_images), size=n_images, replace=False)
    splits = rng.choice(["train", "restval", "val", "test"], size=n_images, p=[0.5, 0.25, 0.1, 0.15])
    return pd.DataFrame({"image_id": ids, "split": splits})


@pytest.mark.parametrize("seed,n_images,n_folds", [(0, 50, 5), (1, 333, 5), (2, 97, 3), (3, 1000, 10)])
def test_folds_partition_development_pool(seed, n_images, n_folds):
    index = random_index(seed, n_images)
    table = assign_folds(index, DEV, "test", n_folds, seed=42)
    dev_ids = set(index.loc[index["split"].isin(DEV), "image_id"])
    test_ids = set(index.loc[index["split"] == "test", "image_id"])

    validated = []
    for fold in range(n_folds):
        train_ids, val_ids = fold_members(table, fold)
        assert not set(train_ids) & set(val_ids)
        assert set(train_ids) | set(val_ids) == dev_ids
        assert not (set(train_ids) | set(val_ids)) & test_ids
        validated.extend(val_ids)
    assert sorted(validated) == sorted(dev_ids)
    assert check_folds(table, n_folds)["development_images"] == len(dev_ids)


def test_restval_is_in_pool():
    index = random_index(5, 400)
    table = assign_folds(index, DEV, "test", 5, seed=42)
    restval = set(index.loc[index["split"] == "restval", "image_id"])
    dev = set(table.loc[table["role"] == "dev", "image_id"])
    assert restval
    assert restval <= dev


def test_folds_match_scikit_learn_kfold():
    index = random_index(7, 200)
    table = assign_folds(index, DEV, "test", 5, seed=42)
    pool = np.sort(index.loc[index["split"].isin(DEV), "image_id"].to_numpy())
    for fold, (_, val_idx) in enumerate(KFold(5, shuffle=True, random_state=42).split(pool)):
        assert np.array_equal(fold_members(table, fold)[1], np.sort(pool[val_idx]))


def test_split_is_deterministic_and_seeded():
    index = random_index(9, 300)
    first = assign_folds(index, DEV, "test", 5, seed=42)
    again = assign_folds(index.sample(frac=1, random_state=1), DEV, "test", 5, seed=42)
    other = assign_folds(index, DEV, "test", 5, seed=43)
    assert first.equals(again)
    assert not first["fold"].equals(other["fold"])


def test_too_many_folds_rejected():
    index = pd.DataFrame({"image_id": [1, 2, 3, 4], "split": ["train", "train", "val", "test"]})
    with pytest.raises(ValueError, match="n_folds is 5, but the development pool"):
        assign_folds(index, DEV, "test", 5, seed=42)


def test_test_split_in_pool_rejected():
    index = random_index(0, 50)
    with pytest.raises(ValueError, match="must never enter a fold"):
        assign_folds(index, ["train", "test"], "test", 5, seed=42)


def test_check_folds_detects_unvalidated_image():
    index = random_index(4, 100)
    table = assign_folds(index, DEV, "test", 5, seed=42)
    first_dev = table.index[table["role"] == "dev"][0]
    table.loc[first_dev, "fold"] = 7  # validated in no fold 0..4
    with pytest.raises(ValueError, match="does not cover|validated exactly once"):
        check_folds(table, 5)
