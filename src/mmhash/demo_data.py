"""Deterministic synthetic dataset in MS-COCO's own layout.

Each category is a coloured shape. An image shows one to four objects of
distinct categories on a noisy background, and each of its five captions names
a random non-empty subset of them, so both the image and the text carry signal
about the labels. The files follow the official COCO 2014 schemas
(``instances_*.json``, ``captions_*.json``) and Karpathy's ``dataset_coco.json``,
so the workflow reads them exactly as it reads real COCO.
"""

import json
import logging
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .atomic import atomic_directory

log = logging.getLogger(__name__)

# (COCO-style category id, name, supercategory, shape, RGB colour). The ids have
# gaps, as COCO's 1..90 do, so the index must map them to contiguous classes.
DEMO_CATEGORIES = [
    (1, "red ball", "toy", "circle", (220, 30, 30)),
    (2, "blue box", "toy", "square", (30, 60, 220)),
    (4, "green tree", "plant", "triangle", (30, 160, 50)),
    (7, "yellow kite", "toy", "diamond", (235, 200, 20)),
    (9, "purple ring", "toy", "ring", (140, 40, 170)),
    (13, "orange sign", "object", "square", (245, 130, 20)),
    (18, "black cat", "animal", "circle", (20, 20, 20)),
    (22, "white cloud", "object", "ellipse", (250, 250, 250)),
    (27, "pink cup", "object", "triangle", (240, 110, 180)),
    (33, "cyan fish", "animal", "diamond", (20, 200, 210)),
    (41, "brown bear", "animal", "ellipse", (120, 70, 30)),
    (52, "gray car", "vehicle", "ring", (130, 130, 130)),
]

# Karpathy split proportions; COCO 2014 puts restval, val and test in val2014.
SPLIT_SHARES = {"train": 0.45, "restval": 0.3, "val": 0.1, "test": 0.15}
CAPTION_TEMPLATES = [
    "a picture of {objects}.",
    "there is {objects} in this image.",
    "a photo showing {objects}.",
    "{objects} on a plain background.",
    "a drawing with {objects}.",
]
IMAGE_SIZE = 96
CAPTIONS_PER_IMAGE = 5


def _draw_object(draw, shape, colour, box):
    x0, y0, x1, y1 = box
    if shape == "circle":
        draw.ellipse(box, fill=colour)
    elif shape == "ellipse":
        draw.ellipse((x0, y0 + (y1 - y0) // 4, x1, y1 - (y1 - y0) // 4), fill=colour)
    elif shape == "square":
        draw.rectangle(box, fill=colour)
    elif shape == "triangle":
        draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=colour)
    elif shape == "diamond":
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=colour)
    elif shape == "ring":
        width = max(2, (x1 - x0) // 5)
        draw.ellipse(box, outline=colour, width=width)
    else:
        raise ValueError(f"unknown demo shape {shape!r}")


def _join_names(names):
    phrases = [f"a {name}" for name in names]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _make_image(rng, category_rows):
    """Draw one image; return the PIL image and its COCO-style annotations (bbox only)."""
    background = rng.integers(90, 200, size=3)
    noise = rng.integers(-25, 26, size=(IMAGE_SIZE, IMAGE_SIZE, 3))
    pixels = np.clip(background + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, mode="RGB")
    draw = ImageDraw.Draw(image)

    n_objects = int(rng.integers(1, 5))
    chosen = rng.choice(len(category_rows), size=n_objects, replace=False)
    objects = []
    for row in chosen:
        cat_id, name, _, shape, colour = category_rows[row]
        size = int(rng.integers(22, 44))
        x0 = int(rng.integers(0, IMAGE_SIZE - size))
        y0 = int(rng.integers(0, IMAGE_SIZE - size))
        _draw_object(draw, shape, colour, (x0, y0, x0 + size, y0 + size))
        objects.append({"category_id": cat_id, "name": name, "bbox": [x0, y0, size, size]})
    return image, objects


def _captions_for(rng, objects):
    captions = []
    for _ in range(CAPTIONS_PER_IMAGE):
        n_named = int(rng.integers(1, len(objects) + 1))
        named = rng.choice(len(objects), size=n_named, replace=False)
        names = [objects[i]["name"] for i in sorted(named)]
        template = CAPTION_TEMPLATES[int(rng.integers(len(CAPTION_TEMPLATES)))]
        captions.append(template.format(objects=_join_names(names)))
    return captions


def _assign_splits(rng, n_images):
    """Return one Karpathy split name per image with the shares of SPLIT_SHARES."""
    counts = {name: int(round(share * n_images)) for name, share in SPLIT_SHARES.items()}
    counts["train"] += n_images - sum(counts.values())
    splits = np.array([name for name, count in counts.items() for _ in range(count)])
    rng.shuffle(splits)
    return splits


def _coco_categories():
    return [{"supercategory": sup, "id": cat_id, "name": name} for cat_id, name, sup, _, _ in DEMO_CATEGORIES]


def _tokens(caption):
    return caption.replace(",", " ").replace(".", " ").split()


def write_demo_dataset(root, n_images=300, seed=0):
    """Write the synthetic dataset under ``root``.

    Parameters
    ----------
    root : path
        Destination folder; it receives ``images/{train,val}2014/``,
        ``annotations/{instances,captions}_{train,val}2014.json`` and
        ``karpathy/dataset_coco.json``. It is replaced atomically.
    n_images : int
        Number of images, split over train, restval, val and test.
    seed : int
        Seed of the generator; the same seed gives byte-identical files.
    """
    rng = np.random.default_rng(seed)
    splits = _assign_splits(rng, n_images)
    # Distinct, non-sequential image ids, as in COCO.
    image_ids = np.sort(rng.choice(np.arange(1, 600_000), size=n_images, replace=False))

    instances = {folder: {"images": [], "annotations": []} for folder in ("train2014", "val2014")}
    captions = {folder: [] for folder in ("train2014", "val2014")}
    karpathy_images = []
    annotation_id = 1
    sentence_id = 0

    with atomic_directory(root) as tmp:
        for folder in instances:
            (tmp / "images" / folder).mkdir(parents=True)
        for position, (image_id, split) in enumerate(zip(image_ids.tolist(), splits.tolist())):
            folder = "train2014" if split == "train" else "val2014"
            file_name = f"COCO_{folder}_{image_id:012d}.jpg"
            image, objects = _make_image(rng, DEMO_CATEGORIES)
            image.save(tmp / "images" / folder / file_name, format="JPEG", quality=92)

            instances[folder]["images"].append(
                {"license": 4, "file_name": file_name, "height": IMAGE_SIZE, "width": IMAGE_SIZE, "id": image_id}
            )
            for obj in objects:
                x, y, w, h = obj["bbox"]
                instances[folder]["annotations"].append({
                    "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
                    "area": float(w * h), "iscrowd": 0, "image_id": image_id,
                    "bbox": [float(v) for v in obj["bbox"]], "category_id": obj["category_id"], "id": annotation_id,
                })
                annotation_id += 1

            sentences = []
            for caption in _captions_for(rng, objects):
                captions[folder].append({"image_id": image_id, "id": sentence_id, "caption": caption})
                sentences.append({"tokens": _tokens(caption), "raw": caption, "imgid": position, "sentid": sentence_id})
                sentence_id += 1
            karpathy_images.append({
                "filepath": folder, "sentids": [s["sentid"] for s in sentences], "filename": file_name,
                "imgid": position, "split": split, "sentences": sentences, "cocoid": image_id,
            })

        info = {"description": "mmhash-cv synthetic demo dataset", "version": "1.0", "year": 2014}
        licenses = [{"url": "https://creativecommons.org/licenses/by/4.0/", "id": 4, "name": "CC BY 4.0"}]
        (tmp / "annotations").mkdir()
        for folder in instances:
            year_split = folder.replace("2014", "")
            instances_file = {"info": info, "licenses": licenses, **instances[folder], "categories": _coco_categories()}
            captions_file = {"info": info, "licenses": licenses, "images": instances[folder]["images"],
                             "annotations": captions[folder]}
            _dump(tmp / "annotations" / f"instances_{year_split}2014.json", instances_file)
            _dump(tmp / "annotations" / f"captions_{year_split}2014.json", captions_file)
        (tmp / "karpathy").mkdir()
        _dump(tmp / "karpathy" / "dataset_coco.json", {"images": karpathy_images, "dataset": "coco"})

    counts = {name: int((splits == name).sum()) for name in SPLIT_SHARES}
    log.info("wrote %d demo images to %s: %s", n_images, root, counts)
    return counts


def _dump(path, data):
    Path(path).write_text(json.dumps(data), encoding="utf-8")
