"""The shared feature store: pooled encoder features of every image and caption, encoded once.

Layout of the store folder (all arrays are ``.npy`` files that
``numpy.load(..., mmap_mode="r")`` maps without reading them whole):

- ``image_ids.npy``      int64   (n_images,)      COCO image id of each image row
- ``image_features.npy`` float16 (n_images, dim)  pooled image features
- ``text_features.npy``  float16 (n_captions, dim) pooled caption features
- ``caption_offsets.npy`` int64  (n_images + 1,)  captions of image row i are
  text rows ``caption_offsets[i]:caption_offsets[i + 1]``
- ``store.json``         encoder name, feature size and counts

Image rows follow the index table order (ascending image id).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STORE_DTYPE = np.float16


@dataclass
class FeatureStore:
    """Memory-mapped view of a feature store folder."""

    image_ids: np.ndarray
    image_features: np.ndarray
    text_features: np.ndarray
    caption_offsets: np.ndarray
    meta: dict

    @classmethod
    def open(cls, folder):
        folder = Path(folder)
        return cls(
            image_ids=np.load(folder / "image_ids.npy"),
            image_features=np.load(folder / "image_features.npy", mmap_mode="r"),
            text_features=np.load(folder / "text_features.npy", mmap_mode="r"),
            caption_offsets=np.load(folder / "caption_offsets.npy"),
            meta=json.loads((folder / "store.json").read_text(encoding="utf-8")),
        )

    def rows_of(self, image_ids):
        """Return the store rows of ``image_ids``; raise if an id is not in the store."""
        image_ids = np.asarray(image_ids, dtype=np.int64)
        rows = np.searchsorted(self.image_ids, image_ids)
        rows = np.clip(rows, 0, len(self.image_ids) - 1)
        missing = self.image_ids[rows] != image_ids
        if missing.any():
            raise KeyError(f"{int(missing.sum())} image ids are not in the feature store "
                           f"(first: {image_ids[missing][:5].tolist()}); rerun embed_features.")
        return rows


def caption_offsets_of(captions_per_image):
    """Return the offsets array for a sequence of caption lists."""
    counts = np.fromiter((len(c) for c in captions_per_image), dtype=np.int64, count=len(captions_per_image))
    return np.concatenate([[0], np.cumsum(counts)])
