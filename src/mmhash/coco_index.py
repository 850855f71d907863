"""One index table from COCO instances, COCO captions and the Karpathy split.

The index has one row per image: COCO image id, Karpathy split, image file
path, all captions, and labels as contiguous class indices. COCO category ids
(1..90 with gaps in COCO 2014) are mapped to ``0..N-1`` in ascending id order.
"""

import json
import logging
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from .image_io import DEFAULT_MAX_IMAGE_PIXELS, find_image_problems

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


def collect_images(instances):
    """Return a mapping image id -> instances file, raising on an id listed twice."""
    source = {}
    for path, data in instances.items():
        for image in data["images"]:
            image_id = image["id"]
            if image_id in source:
                where = "twice in " + path if source[image_id] == path else f"in both {source[image_id]} and {path}"
                raise DatasetError(f"image id {image_id} is listed {where}; each COCO image id must be unique. "
                                   "Check that the train and val files are not copies of each other.")
            source[image_id] = path
    return source


def collect_labels(instances, category_to_class, image_source):
    """Return a mapping image id -> sorted class indices from the instance annotations.

    Raises on an annotation whose category or image is not declared, which
    means the file is corrupt or belongs to another dataset version.
    """
    labels = defaultdict(set)
    for path, data in instances.items():
        orphans = []
        for annotation in data["annotations"]:
            category = annotation["category_id"]
            if category not in category_to_class:
                raise DatasetError(f"{path}: annotation {annotation.get('id')} has category_id {category}, "
                                   "which is not among the file's categories.")
            if annotation["image_id"] not in image_source:
                orphans.append(annotation)
                continue
            labels[annotation["image_id"]].add(category_to_class[category])
        if orphans:
            examples = ", ".join(f"annotation {a.get('id')} -> image {a['image_id']}" for a in orphans[:3])
            raise DatasetError(f"{path}: {len(orphans)} annotations refer to image ids that no instances file "
                               f"lists ({examples}). Use the images and annotations of the same COCO release.")
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


DEFAULT_POLICY = {
    "unmatched_images": "error",
    "images_without_captions": "skip",
    "images_without_labels": "keep",
    "bad_images": "error",
    "max_image_pixels": DEFAULT_MAX_IMAGE_PIXELS,
}


def _decide(policy, key, ids, reason, skipped, description):
    """Apply ``policy[key]`` to ``ids``: raise, or record them as skipped with ``reason``."""
    if not ids:
        return set()
    if policy[key] == "error":
        raise DatasetError(f"{len(ids)} {description} (first ids: {sorted(ids)[:5]}). Fix the dataset, or set "
                           f"dataset.{key}: skip in the config to leave them out; skipped images are counted "
                           "and listed in index/skipped_images.csv.")
    skipped.extend((image_id, reason) for image_id in sorted(ids))
    return set(ids)


def build_index(instances_paths, captions_paths, karpathy_path, image_root, policy=None, workers=4):
    """Build the image index, the class table and the record of what was skipped.

    Parameters
    ----------
    instances_paths, captions_paths : list of path
        COCO ``instances_*.json`` and ``captions_*.json`` files.
    karpathy_path : path
        Karpathy ``dataset_coco.json``.
    image_root : path
        Folder that contains ``train2014/`` and ``val2014/``, joined with the
        Karpathy ``filepath`` and ``filename`` of each image.
    policy : dict, optional
        What to do with unusual images (keys of ``DEFAULT_POLICY``): ``error``
        stops with a message naming them, ``skip`` leaves them out and records
        them, ``keep`` (images without labels only) indexes them as all-negative.
    workers : int
        Threads that decode image files to check them.

    Returns
    -------
    index : DataFrame, one row per image, sorted by image id, with columns
        ``image_id``, ``split``, ``file_path``, ``captions`` (list of str) and
        ``labels`` (list of int).
    classes : DataFrame with ``class_index``, ``category_id``, ``name``, ``supercategory``.
    skipped : DataFrame with ``image_id``, ``file_path`` and ``reason`` of every left-out image.
    counts : dict of the numbers logged and reported.
    """
    policy = {**DEFAULT_POLICY, **(policy or {})}
    instances = {str(p): load_json(p, ["images", "annotations", "categories"]) for p in instances_paths}
    captions_files = {str(p): load_json(p, ["annotations"]) for p in captions_paths}
    karpathy = load_json(karpathy_path, ["images"])

    classes = read_categories(instances)
    category_to_class = dict(zip(classes["category_id"], classes["class_index"], strict=True))
    image_source = collect_images(instances)
    labels = collect_labels(instances, category_to_class, image_source)
    captions = collect_captions(captions_files)
    splits = collect_karpathy(karpathy, karpathy_path)
    root = Path(image_root)
    skipped = []

    # Images must be in both the instances files and the Karpathy split file.
    only_karpathy = set(splits) - set(image_source)
    only_instances = set(image_source) - set(splits)
    _decide(policy, "unmatched_images", only_karpathy, "in the Karpathy split file but in no instances file",
            skipped, f"images of {karpathy_path} are in no instances file")
    _decide(policy, "unmatched_images", only_instances, "in an instances file but not in the Karpathy split file",
            skipped, f"images of the instances files are not in {karpathy_path}")
    candidates = set(image_source) & set(splits)

    no_caption = {i for i in candidates if not captions.get(i)}
    candidates -= _decide(policy, "images_without_captions", no_caption, "no caption", skipped,
                          "images have no caption")
    no_labels = {i for i in candidates if not labels.get(i)}
    if policy["images_without_labels"] != "keep":
        candidates -= _decide(policy, "images_without_labels", no_labels, "no instance label", skipped,
                              "images have no instance label")

    kept_ids = sorted(candidates)
    file_paths = [str(root / splits[i][1]) for i in kept_ids]
    problems = find_image_problems(file_paths, policy["max_image_pixels"], workers)
    bad = {kept_ids[position]: reason for position, reason in problems}
    if bad and policy["bad_images"] == "error":
        listing = "\n".join(f"  {root / splits[i][1]}: {reason}" for i, reason in list(bad.items())[:10])
        noun = "image file cannot" if len(bad) == 1 else "image files cannot"
        raise DatasetError(f"{len(bad)} {noun} be used:\n{listing}\nRestore these files, or set "
                           "dataset.bad_images: skip in the config to leave them out (they are then counted "
                           "and listed in index/skipped_images.csv).")
    skipped.extend((image_id, f"image file {reason}") for image_id, reason in bad.items())
    kept_ids = [i for i in kept_ids if i not in bad]

    index = pd.DataFrame({
        "image_id": np.array(kept_ids, dtype=np.int64),
        "split": [splits[i][0] for i in kept_ids],
        "file_path": [str(root / splits[i][1]) for i in kept_ids],
        "captions": [captions[i] for i in kept_ids],
        "labels": [labels.get(i, []) for i in kept_ids],
    })
    skipped_table = pd.DataFrame(
        [(i, str(root / splits[i][1]) if i in splits else "", reason) for i, reason in skipped],
        columns=["image_id", "file_path", "reason"])
    counts = {
        "images_in_karpathy_file": len(splits),
        "images_in_instances_files": len(image_source),
        "images_indexed": len(index),
        "captions_indexed": int(index["captions"].map(len).sum()),
        "classes": len(classes),
        "images_without_labels_kept": int((index["labels"].map(len) == 0).sum()),
        "images_skipped": len(skipped_table),
        "skipped_by_reason": skipped_table["reason"].str.replace(r":.*", "", regex=True).value_counts().to_dict(),
        "per_split": index["split"].value_counts().reindex(KARPATHY_SPLITS, fill_value=0).to_dict(),
    }
    if index.empty:
        raise DatasetError("no image is left to index; check the dataset paths and the dataset.* policies.")
    return index, classes, skipped_table, counts


def counts_table(counts):
    """Flatten the index counts into a two-column table (``count``, ``value``) for the report."""
    rows = []
    for key, value in counts.items():
        if isinstance(value, dict):
            rows += [(f"{key}: {name}", number) for name, number in value.items()]
        else:
            rows.append((key, value))
    return pd.DataFrame(rows, columns=["count", "value"])
