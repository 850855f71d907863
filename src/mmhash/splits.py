"""K-fold split of the development pool with a held-out test set.

The split is computed once and written to a CSV that every later rule reads,
so all folds, variants and reruns see the same partition.
"""

import logging

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

log = logging.getLogger(__name__)

TEST_FOLD = -1
UNUSED_FOLD = -2


def assign_folds(index, dev_splits, test_split, n_folds, seed, shuffle=True):
    """Assign every development image the fold in which it is validated.

    Parameters
    ----------
    index : DataFrame with ``image_id`` and ``split`` columns.
    dev_splits : list of str
        Karpathy splits that form the development pool (``train``, ``restval``
        and ``val`` for the standard protocol).
    test_split : str
        Karpathy split held out for the final test (``test``).
    n_folds, seed, shuffle :
        Passed to scikit-learn ``KFold(n_splits=n_folds, shuffle=shuffle,
        random_state=seed)``, applied to the pool sorted by image id.

    Returns
    -------
    DataFrame with ``image_id``, ``split``, ``role`` (``dev``, ``test`` or
    ``unused``) and ``fold`` (validation fold for ``dev``, -1 for ``test``,
    -2 for ``unused``), sorted by image id.
    """
    if test_split in dev_splits:
        raise ValueError(f"splits.test_split {test_split!r} is also listed in splits.dev_splits {dev_splits}; "
                         "the test images must never enter a fold.")
    table = index[["image_id", "split"]].sort_values("image_id").reset_index(drop=True)
    is_dev = table["split"].isin(dev_splits).to_numpy()
    is_test = (table["split"] == test_split).to_numpy()
    n_dev = int(is_dev.sum())
    if n_dev < n_folds:
        raise ValueError(f"splits.n_folds is {n_folds}, but the development pool ({', '.join(dev_splits)}) "
                         f"holds only {n_dev} images; lower n_folds or add images.")

    folds = np.full(len(table), UNUSED_FOLD, dtype=np.int64)
    folds[is_test] = TEST_FOLD
    dev_positions = np.flatnonzero(is_dev)
    kfold = KFold(n_splits=n_folds, shuffle=shuffle, random_state=seed if shuffle else None)
    for fold, (_, val_idx) in enumerate(kfold.split(dev_positions)):
        folds[dev_positions[val_idx]] = fold

    table["role"] = np.where(is_dev, "dev", np.where(is_test, "test", "unused"))
    table["fold"] = folds
    return table


def fold_members(table, fold):
    """Return the (train ids, validation ids) of ``fold`` as sorted int64 arrays."""
    dev = table[table["role"] == "dev"]
    val_ids = dev.loc[dev["fold"] == fold, "image_id"].to_numpy(np.int64)
    train_ids = dev.loc[dev["fold"] != fold, "image_id"].to_numpy(np.int64)
    return np.sort(train_ids), np.sort(val_ids)


def check_folds(table, n_folds):
    """Check the split properties and return them as a dict of counts.

    Raises ``ValueError`` on the first broken property:
    folds overlap, a development image is not validated exactly once, or a
    test image is in a fold.
    """
    dev_ids = set(table.loc[table["role"] == "dev", "image_id"])
    test_ids = set(table.loc[table["role"] == "test", "image_id"])
    validated = []
    for fold in range(n_folds):
        train_ids, val_ids = fold_members(table, fold)
        if set(train_ids) & set(val_ids):
            raise ValueError(f"fold {fold}: training and validation images overlap")
        if (set(train_ids) | set(val_ids)) & test_ids:
            raise ValueError(f"fold {fold}: a test image is in the fold")
        if set(train_ids) | set(val_ids) != dev_ids:
            raise ValueError(f"fold {fold}: training plus validation does not cover the development pool")
        validated.extend(val_ids.tolist())
    if len(validated) != len(dev_ids) or set(validated) != dev_ids:
        raise ValueError("not every development image is validated exactly once")
    return {
        "development_images": len(dev_ids),
        "test_images": len(test_ids),
        "unused_images": int((table["role"] == "unused").sum()),
        "validation_images_per_fold": [int((table["fold"] == f).sum()) for f in range(n_folds)],
        "development_images_per_split": table[table["role"] == "dev"]["split"].value_counts().to_dict(),
    }


def read_split_table(path):
    """Read the split CSV written by ``make_splits``."""
    return pd.read_csv(path, dtype={"image_id": np.int64, "split": str, "role": str, "fold": np.int64})
