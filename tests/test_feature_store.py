"""Reading rows of the feature store without mapping the whole file."""

import json

import numpy as np

from mmhash.feature_store import FeatureStore


def test_read_rows_matches_memory_map(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.standard_normal((1000, 12)).astype(np.float16)
    np.save(tmp_path / "image_features.npy", features)
    np.save(tmp_path / "text_features.npy", features[:500])
    np.save(tmp_path / "image_ids.npy", np.arange(1000, dtype=np.int64))
    np.save(tmp_path / "caption_offsets.npy", np.arange(1001, dtype=np.int64))
    (tmp_path / "store.json").write_text(json.dumps({"feature_dim": 12}))
    store = FeatureStore.open(tmp_path)

    rows = rng.integers(0, 1000, size=300)  # unsorted, with repeats
    np.testing.assert_array_equal(store.read_rows("image_features", rows, chunk_rows=64), features[rows])
    np.testing.assert_array_equal(store.read_rows("text_features", [499, 0, 250], chunk_rows=7),
                                  features[[499, 0, 250]])
    assert store.read_rows("image_features", []).shape == (0, 12)
