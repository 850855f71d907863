"""Malformed datasets, images and checkpoints: each gets a clear error or a counted, recorded decision."""

import json
import os
import pickle

import numpy as np
import pytest
from PIL import Image

from conftest import make_workdir, run_snakemake
from mmhash.coco_index import DatasetError, build_index
from mmhash.demo_data import write_demo_dataset
from mmhash.image_io import ImageTooLargeError, image_problem, open_rgb_image
from mmhash.model import load_head

INSTANCES = ["annotations/instances_train2014.json", "annotations/instances_val2014.json"]
CAPTIONS = ["annotations/captions_train2014.json", "annotations/captions_val2014.json"]
KARPATHY = "karpathy/dataset_coco.json"


@pytest.fixture
def dataset(tmp_path):
    root = tmp_path / "coco"
    write_demo_dataset(root, n_images=30, seed=1)
    return root


def index(root, **policy):
    return build_index([root / p for p in INSTANCES], [root / p for p in CAPTIONS], root / KARPATHY,
                       root / "images", policy=policy, workers=2)


def load(root, name):
    return json.loads((root / name).read_text())


def save(root, name, data):
    (root / name).write_text(json.dumps(data))


def first_image(root):
    """The first Karpathy entry: its COCO id and image file."""
    entry = load(root, KARPATHY)["images"][0]
    return entry["cocoid"], root / "images" / entry["filepath"] / entry["filename"]


# Dataset files.

def test_missing_annotation_file(dataset):
    (dataset / INSTANCES[1]).unlink()
    with pytest.raises(DatasetError, match=r"dataset file not found: .*instances_val2014.json"):
        index(dataset)


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]"])
def test_annotation_file_not_a_json_object(dataset, content):
    (dataset / INSTANCES[0]).write_text(content)
    with pytest.raises(DatasetError, match=r"instances_train2014.json (is not valid JSON|must contain a JSON object)"):
        index(dataset)


@pytest.mark.parametrize("key", ["images", "annotations", "categories"])
def test_annotation_file_without_key(dataset, key):
    data = load(dataset, INSTANCES[0])
    del data[key]
    save(dataset, INSTANCES[0], data)
    with pytest.raises(DatasetError, match=rf"instances_train2014.json has no '{key}' key"):
        index(dataset)


def test_annotation_of_unknown_image(dataset):
    data = load(dataset, INSTANCES[1])
    data["annotations"][0]["image_id"] = 999_999_999
    save(dataset, INSTANCES[1], data)
    with pytest.raises(DatasetError, match=r"1 annotations refer to image ids that no instances file lists"):
        index(dataset)


def test_annotation_of_unknown_category(dataset):
    data = load(dataset, INSTANCES[0])
    data["annotations"][0]["category_id"] = 999
    save(dataset, INSTANCES[0], data)
    with pytest.raises(DatasetError, match=r"has category_id 999, which is not among the file's categories"):
        index(dataset)


def test_duplicate_image_id_within_file(dataset):
    data = load(dataset, INSTANCES[0])
    data["images"].append(dict(data["images"][0]))
    save(dataset, INSTANCES[0], data)
    with pytest.raises(DatasetError, match=r"is listed twice in .*instances_train2014.json"):
        index(dataset)


def test_duplicate_image_id_across_files(dataset):
    train, val = load(dataset, INSTANCES[0]), load(dataset, INSTANCES[1])
    val["images"].append(dict(train["images"][0]))
    save(dataset, INSTANCES[1], val)
    with pytest.raises(DatasetError, match=r"is listed in both .*instances_train2014.json and .*instances_val2014"):
        index(dataset)


def test_karpathy_entry_without_annotations(dataset):
    karpathy = load(dataset, KARPATHY)
    extra = dict(karpathy["images"][0], cocoid=123_456_789)
    karpathy["images"].append(extra)
    save(dataset, KARPATHY, karpathy)
    with pytest.raises(DatasetError, match=r"1 images of .*dataset_coco.json are in no instances file"):
        index(dataset)
    result, _, skipped, counts = index(dataset, unmatched_images="skip")
    assert 123_456_789 not in set(result["image_id"])
    assert skipped["image_id"].tolist() == [123_456_789]
    assert skipped["reason"].iloc[0] == "in the Karpathy split file but in no instances file"
    assert counts["images_indexed"] == 30


def test_annotated_image_missing_from_karpathy(dataset):
    karpathy = load(dataset, KARPATHY)
    removed = karpathy["images"].pop(0)["cocoid"]
    save(dataset, KARPATHY, karpathy)
    with pytest.raises(DatasetError, match=r"1 images of the instances files are not in"):
        index(dataset)
    result, _, skipped, counts = index(dataset, unmatched_images="skip")
    assert removed not in set(result["image_id"])
    assert skipped["image_id"].tolist() == [removed]
    assert counts["images_skipped"] == 1


def test_unknown_split_name(dataset):
    karpathy = load(dataset, KARPATHY)
    karpathy["images"][3]["split"] = "holdout"
    save(dataset, KARPATHY, karpathy)
    with pytest.raises(DatasetError, match=r"has split 'holdout'; expected one of train, restval, val, test"):
        index(dataset)


def test_image_without_captions(dataset):
    image_id, _ = first_image(dataset)
    for name in CAPTIONS:
        data = load(dataset, name)
        data["annotations"] = [a for a in data["annotations"] if a["image_id"] != image_id]
        save(dataset, name, data)
    result, _, skipped, counts = index(dataset)
    assert image_id not in set(result["image_id"])
    assert skipped.set_index("image_id").loc[image_id, "reason"] == "no caption"
    assert counts["skipped_by_reason"] == {"no caption": 1}
    with pytest.raises(DatasetError, match=r"1 images have no caption"):
        index(dataset, images_without_captions="error")


def test_image_without_labels(dataset):
    image_id, _ = first_image(dataset)
    for name in INSTANCES:
        data = load(dataset, name)
        data["annotations"] = [a for a in data["annotations"] if a["image_id"] != image_id]
        save(dataset, name, data)
    result, _, _, counts = index(dataset)
    assert list(result.set_index("image_id").loc[image_id, "labels"]) == []
    assert counts["images_without_labels_kept"] == 1
    result, _, skipped, _ = index(dataset, images_without_labels="skip")
    assert image_id not in set(result["image_id"])
    assert skipped["reason"].tolist() == ["no instance label"]
    with pytest.raises(DatasetError, match=r"1 images have no instance label"):
        index(dataset, images_without_labels="error")


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage,reason", [
    (lambda p: p.unlink(), "file not found"),
    (lambda p: p.write_bytes(b""), "empty file (0 bytes)"),
    (truncate, "cannot be decoded: image file is truncated"),
    (lambda p: p.write_text("this is a caption, not a picture"), "not an image file Pillow can read"),
])
def test_unusable_image_file(dataset, damage, reason):
    image_id, path = first_image(dataset)
    damage(path)
    with pytest.raises(DatasetError, match=r"1 image file cannot be used") as error:
        index(dataset)
    assert f"{path}: {reason}" in str(error.value)
    assert "dataset.bad_images: skip" in str(error.value)
    result, _, skipped, _ = index(dataset, bad_images="skip")
    assert image_id not in set(result["image_id"])
    assert skipped["reason"].iloc[0].startswith(f"image file {reason}")


def test_image_above_pixel_limit(dataset):
    _, path = first_image(dataset)
    with pytest.raises(ImageTooLargeError, match=r"96 x 96 = 9216 pixels is above dataset.max_image_pixels \(5000\)"):
        index(dataset, max_image_pixels=5000)
    with pytest.raises(ImageTooLargeError, match="raise dataset.max_image_pixels"):
        open_rgb_image(path, max_pixels=5000)


# Image modes.

def saved(tmp_path, image, name, **options):
    path = tmp_path / name
    image.save(path, **options)
    return path


def test_grey_and_palette_images_become_rgb(tmp_path):
    grey = open_rgb_image(saved(tmp_path, Image.new("L", (8, 6), 77), "grey.png"))
    palette_image = Image.new("RGB", (8, 6), (10, 200, 30)).convert("P", palette=Image.Palette.ADAPTIVE)
    palette = open_rgb_image(saved(tmp_path, palette_image, "p.png"))
    cmyk = open_rgb_image(saved(tmp_path, Image.new("CMYK", (8, 6), (0, 255, 255, 0)), "cmyk.jpg"))
    assert grey.mode == palette.mode == cmyk.mode == "RGB"
    assert grey.getpixel((0, 0)) == (77, 77, 77)
    assert palette.getpixel((0, 0)) == (10, 200, 30)
    red, green, blue = cmyk.getpixel((0, 0))
    assert red > 200
    assert green < 60
    assert blue < 60


def test_transparent_pixels_become_white(tmp_path):
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    rgb = open_rgb_image(saved(tmp_path, image, "rgba.png"))
    assert rgb.getpixel((0, 0)) == (255, 255, 255)
    assert rgb.getpixel((1, 1)) == (255, 0, 0)


def test_sixteen_bit_image_is_scaled(tmp_path):
    ramp = np.linspace(0, 65535, 64, dtype=np.uint16).reshape(8, 8)
    path = saved(tmp_path, Image.fromarray(ramp), "depth16.png")
    assert Image.open(path).mode.startswith("I")
    pixels = np.asarray(open_rgb_image(path))[:, :, 0]
    assert pixels.min() == 0
    assert pixels.max() == 255
    assert len(np.unique(pixels)) > 50  # a plain convert("RGB") clips almost everything to 255


def test_exif_orientation_rotates_image(tmp_path):
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))  # left half red
    exif = image.getexif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise
    rotated = open_rgb_image(saved(tmp_path, image, "exif.jpg", exif=exif, quality=95))
    assert rotated.size == (20, 40)
    assert rotated.getpixel((10, 5))[0] > 200  # the red half is now on top


def test_image_problem_accepts_good_file(tmp_path):
    assert image_problem(saved(tmp_path, Image.new("RGB", (30, 30)), "ok.jpg")) is None


# Checkpoints.

class _WritesMarker:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_pickled_checkpoint_is_not_executed(tmp_path):
    marker = tmp_path / "code-ran"
    checkpoint = tmp_path / "model.safetensors"
    checkpoint.write_bytes(pickle.dumps(_WritesMarker(marker)))
    assert not marker.exists()
    with pytest.raises(Exception) as error:
        load_head(checkpoint)
    assert "pickle" not in type(error.value).__module__
    assert not marker.exists()


# The workflow: errors come before any encoding, and leave no index behind.

def test_workflow_stops_on_bad_image_before_encoding(tmp_path, dataset):
    _, path = first_image(dataset)
    truncate(path)
    workdir = tmp_path / "run"
    config = make_workdir(workdir, {"dataset": {"root": str(dataset), "generate_demo": False}})
    process = run_snakemake(workdir, config, check=False)
    output = process.stdout + process.stderr
    assert process.returncode != 0
    assert f"{path}: cannot be decoded: image file is truncated" in output
    assert not (workdir / "results/demo/index/images.parquet").exists()
    assert not (workdir / "results/demo/features").exists()
    index_folder = workdir / "results/demo/index"
    assert not index_folder.exists() or list(index_folder.iterdir()) == []


def test_workflow_checks_encoder_before_running(tmp_path):
    workdir = tmp_path / "run"
    config = make_workdir(workdir, {"encoder": {"generate_tiny": False,
                                                "name_or_path": "google/siglip2-base-patch16-256"}})
    env = {**os.environ, "HF_HOME": str(tmp_path / "empty-cache"), "HF_HUB_OFFLINE": "1"}
    process = run_snakemake(workdir, config, "--dry-run", check=False, env=env)
    assert process.returncode != 0
    assert "hf download google/siglip2-base-patch16-256" in process.stdout + process.stderr
