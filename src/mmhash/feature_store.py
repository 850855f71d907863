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
    folder: Path

    @classmethod
    def open(cls, folder):
        folder = Path(folder)
        return cls(
            folder=folder,
            image_ids=np.load(folder / "image_ids.npy"),
            image_features=np.load(folder / "image_features.npy", mmap_mode="r"),
            text_features=np.load(folder / "text_features.npy", mmap_mode="r"),
            caption_offsets=np.load(folder / "caption_offsets.npy"),
            meta=json.loads((folder / "store.json").read_text(encoding="utf-8")),
        )

    def read_rows(self, name, rows, chunk_rows=65_536):
        """Return ``rows`` of array ``name`` (``image_features`` or ``text_features``) as a new array.

        The file is read in chunks with plain reads instead of through the
        memory map. The process then keeps the selected rows and one chunk in
        memory, not the mapped pages of the whole store.
        """
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        array = getattr(self, name)
        out = np.empty((len(rows), array.shape[1]), dtype=array.dtype)
        row_bytes = array.shape[1] * array.dtype.itemsize
        with open(self.folder / f"{name}.npy", "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                np.lib.format.read_array_header_1_0(handle)
            else:  # versions 2.0 and 3.0 share the 4-byte header length
                np.lib.format.read_array_header_2_0(handle)
            data_offset = handle.tell()
            for start in range(0, array.shape[0], chunk_rows):
                stop = min(start + chunk_rows, array.shape[0])
                low, high = np.searchsorted(sorted_rows, [start, stop])
                if low == high:
                    continue
                handle.seek(data_offset + start * row_bytes)
                block = np.fromfile(handle, dtype=array.dtype, count=(stop - start) * array.shape[1])
                out[order[low:high]] = block.reshape(stop - start, -1)[sorted_rows[low:high] - start]
        return out

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
