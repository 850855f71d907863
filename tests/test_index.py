"""The dataset index from COCO files: the demo dataset and the real COCO 2014 subset."""

import json

import pytest

from mmhash.coco_index import DatasetError, build_index
from mmhash.demo_data import DEMO_CATEGORIES


def index_of(root, image_dir="images", policy=None):
    index, classes, _, counts = build_index(
        [root / "annotations/instances_train2014.json", root / "annotations/instances_val2014.json"],
        [root / "annotations/captions_train2014.json", root / "annotations/captions_val2014.json"],
        root / "karpathy/dataset_coco.json", root / image_dir, policy=policy,
    )
    return index, classes, counts


def test_demo_dataset_index(demo_dataset_dir):
    index, classes, counts = index_of(demo_dataset_dir)
    assert counts["images_indexed"] == 60
    assert counts["captions_indexed"] == 300
    assert counts["images_skipped"] == 0
    assert set(index["split"]) == {"train", "restval", "val", "test"}
    # Non-contiguous COCO ids map to 0..N-1 in ascending id order.
    assert classes["category_id"].tolist() == sorted(c[0] for c in DEMO_CATEGORIES)
    assert classes["class_index"].tolist() == list(range(len(DEMO_CATEGORIES)))
    assert index["labels"].map(len).between(1, 4).all()
    assert all(path.endswith(".jpg") for path in index["file_path"])


def test_demo_captions_mention_labelled_objects(demo_dataset_dir):
    index, classes, _ = index_of(demo_dataset_dir)
    names = dict(zip(classes["class_index"], classes["name"], strict=True))
    for labels, captions in zip(index["labels"], index["captions"], strict=True):
        label_names = {names[c] for c in labels}
        for caption in captions:
            mentioned = {name for name in names.values() if name in caption}
            assert mentioned and mentioned <= label_names


def test_demo_dataset_is_deterministic(tmp_path, demo_dataset_dir):
    from mmhash.demo_data import write_demo_dataset

    write_demo_dataset(tmp_path / "again", n_images=60, seed=3)
    for name in ["karpathy/dataset_coco.json", "annotations/instances_val2014.json"]:
        assert (tmp_path / "again" / name).read_bytes() == (demo_dataset_dir / name).read_bytes()


def test_coco_mini_index(coco_mini_dir):
    index, classes, counts = index_of(coco_mini_dir)
    assert counts["images_indexed"] == 239
    assert counts["captions_indexed"] == 1195
    assert counts["classes"] == 80
    assert classes["category_id"].iloc[-1] == 90
    assert counts["per_split"] == {"train": 60, "restval": 136, "val": 21, "test": 22}
    # COCO's 'person' (id 1) is class 0 and 'toothbrush' (id 90) class 79.
    assert classes.loc[0, "name"] == "person"
    assert classes.loc[79, "name"] == "toothbrush"


def test_missing_key_names_file(tmp_path):
    path = tmp_path / "instances.json"
    path.write_text(json.dumps({"images": [], "annotations": []}))
    with pytest.raises(DatasetError, match=r"instances.json has no 'categories' key"):
        build_index([path], [path], path, tmp_path)
