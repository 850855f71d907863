"""One index table from COCO instances, COCO captions and the Karpathy split.

The index has one row per image: COCO image id, Karpathy split, image file
path, all captions, and labels as contiguous class indices. COCO category ids
(1..90 with gaps in COCO 2014) are mapped to ``0..N-1`` in ascending id order.
"""

import json
import logging
from collections import defaultdict
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

KARPATHY_SPLITS = ("train", "restval", "val", "test")


class DatasetError(ValueError):
    """A dataset file is missing, malformed or inconsistent with the others."""


def load_json(path, required_keys):
    """Read a JSON object from ``path`` and check that it has ``required_keys``."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"dataset file not found: {path}. Check the dataset paths in the config.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DatasetError(f"{path} is not valid JSON ({error}). Re-download or regenerate the file.") from error
    if not isinstance(data, dict):
        raise DatasetError(f"{path} must contain a JSON object, found {type(data).__name__}.")
    missing = [key for key in required_keys if key not in data]
    if missing:
        raise DatasetError(f"{path} has no {', '.join(repr(k) for k in missing)} key; expected the COCO schema.")
    return data


def read_categories(instances):
    """Return the categories, sorted by COCO id, checking that all instances files agree.

    Parameters
    ----------
    instances : dict of path -> parsed instances JSON
    """
    reference_path, reference = None, None
    for path, data in instances.items():
        categories = sorted((c["id"], c["name"], c.get("supercategory", "")) for c in data["categories"])
        if reference is None:
            reference_path, reference = path, categories
        elif categories != reference:
            raise DatasetError(f"the categories of {path} differ from those of {reference_path}; "
                               "all instances files must share one category list.")
    if not reference:
        raise DatasetError(f"{reference_path} lists no categories.")
    classes = pd.DataFrame(reference, columns=["category_id", "name", "supercategory"])
    return classes.rename_axis("class_index").reset_index()


def collect_labels(instances, category_to_class):
    """Return a mapping image id -> sorted class indices from the instance annotations."""
    labels = defaultdict(set)
    for path, data in instances.items():
        for annotation in data["annotations"]:
            category = annotation["category_id"]
            if category not in category_to_class:
                raise DatasetError(f"{path}: annotation {annotation.get('id')} has category_id {category}, "
                                   "which is not among the file's categories.")
            labels[annotation["image_id"]].add(category_to_class[category])
    return {image_id: sorted(classes) for image_id, classes in labels.items()}


def collect_captions(captions_files):
    """Return a mapping image id -> captions in caption id order."""
    captions = defaultdict(list)
    for data in captions_files.values():
        for annotation in data["annotations"]:
            captions[annotation["image_id"]].append((annotation["id"], annotation["caption"].strip()))
    return {image_id: [text for _, text in sorted(rows)] for image_id, rows in captions.items()}


def collect_karpathy(karpathy, path):
    """Return a mapping COCO image id -> (split, relative file path) from ``dataset_coco.json``."""
    entries = {}
    for item in karpathy["images"]:
        split = item["split"]
        if split not in KARPATHY_SPLITS:
            raise DatasetError(f"{path}: image {item.get('cocoid')} has split {split!r}; "
                               f"expected one of {', '.join(KARPATHY_SPLITS)}.")
        entries[item["cocoid"]] = (split, str(Path(item["filepath"]) / item["filename"]))
    return entries


def build_index(instances_paths, captions_paths, karpathy_path, image_root):
    """Build the image index and the class table.

    Parameters
    ----------
    instances_paths, captions_paths : list of path
        COCO ``instances_*.json`` and ``captions_*.json`` files.
    karpathy_path : path
        Karpathy ``dataset_coco.json``.
    image_root : path
        Folder that contains ``train2014/`` and ``val2014/``, joined with the
        Karpathy ``filepath`` and ``filename`` of each image.

    Returns
    -------
    index : DataFrame, one row per image, sorted by image id, with columns
        ``image_id``, ``split``, ``file_path``, ``captions`` (list of str) and
        ``labels`` (list of int).
    classes : DataFrame with ``class_index``, ``category_id``, ``name``, ``supercategory``.
    counts : dict of the numbers logged and reported.
    """
    instances = {str(p): load_json(p, ["images", "annotations", "categories"]) for p in instances_paths}
    captions_files = {str(p): load_json(p, ["annotations"]) for p in captions_paths}
    karpathy = load_json(karpathy_path, ["images"])

    classes = read_categories(instances)
    category_to_class = dict(zip(classes["category_id"], classes["class_index"]))
    labels = collect_labels(instances, category_to_class)
    captions = collect_captions(captions_files)
    splits = collect_karpathy(karpathy, karpathy_path)
    annotated_ids = {image["id"] for data in instances.values() for image in data["images"]}

    kept_ids = sorted(annotated_ids & splits.keys())
    no_caption = [image_id for image_id in kept_ids if not captions.get(image_id)]
    if no_caption:
        raise DatasetError(f"{len(no_caption)} images have no caption in {', '.join(captions_files)} "
                           f"(first ids: {no_caption[:5]}). Every image needs at least one caption.")

    root = Path(image_root)
    index = pd.DataFrame({
        "image_id": kept_ids,
        "split": [splits[i][0] for i in kept_ids],
        "file_path": [str(root / splits[i][1]) for i in kept_ids],
        "captions": [captions[i] for i in kept_ids],
        "labels": [labels.get(i, []) for i in kept_ids],
    })
    counts = {
        "images": len(index),
        "captions": int(index["captions"].map(len).sum()),
        "classes": len(classes),
        "images_without_labels": int((index["labels"].map(len) == 0).sum()),
        "karpathy_images_not_in_instances": len(splits.keys() - annotated_ids),
        "instances_images_not_in_karpathy": len(annotated_ids - splits.keys()),
        "per_split": index["split"].value_counts().reindex(KARPATHY_SPLITS, fill_value=0).to_dict(),
    }
    return index, classes, counts
