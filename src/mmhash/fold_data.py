"""Per-fold views of the shared feature store, and the tensors that training reads.

A fold view stores row indices into the store rather than copies of the
features. It also stores what is fitted on the fold's training images only:
the mean and standard deviation of the log feature norms, which the head uses
to standardise its magnitude inputs.
"""

from dataclasses import dataclass

import numpy as np
import torch

from .atomic import atomic_file


def label_matrix(label_lists, n_classes):
    """Return a (n_images, n_classes) uint8 multi-hot matrix from lists of class indices."""
    matrix = np.zeros((len(label_lists), n_classes), dtype=np.uint8)
    for row, labels in enumerate(label_lists):
        matrix[row, list(labels)] = 1
    return matrix


def caption_rows(offsets, image_rows):
    """Return the text rows of ``image_rows`` and the new offsets for that subset.

    Returns
    -------
    rows : int64 array (n_captions_subset,)
    subset_offsets : int64 array (len(image_rows) + 1,)
    """
    starts = offsets[image_rows]
    counts = offsets[image_rows + 1] - starts
    subset_offsets = np.concatenate([[0], np.cumsum(counts)])
    rows = np.repeat(starts - subset_offsets[:-1], counts) + np.arange(subset_offsets[-1])
    return rows.astype(np.int64), subset_offsets


def log_norm_stats(store, image_rows, chunk=65536):
    """Return mean and std of log L2 norms of image features and of their captions' features.

    Returns
    -------
    mean, std : float32 arrays of shape (2,), ordered (image, text).
    """
    text_rows, _ = caption_rows(store.caption_offsets, image_rows)
    stats = []
    for array, rows in ((store.image_features, image_rows), (store.text_features, text_rows)):
        log_norms = np.concatenate([
            np.log(np.linalg.norm(np.asarray(array[rows[i:i + chunk]], dtype=np.float32), axis=1))
            for i in range(0, len(rows), chunk)
        ])
        stats.append((log_norms.mean(), max(log_norms.std(), 1e-6)))
    mean, std = (np.array(values, dtype=np.float32) for values in zip(*stats))
    return mean, std


def write_fold_view(path, store, train_ids, val_ids, labels_by_id, n_classes):
    """Write the fold's rows, labels and training-only magnitude statistics to ``path`` (npz)."""
    train_rows = store.rows_of(train_ids)
    val_rows = store.rows_of(val_ids)
    mean, std = log_norm_stats(store, train_rows)
    with atomic_file(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                train_rows=train_rows, val_rows=val_rows,
                train_labels=label_matrix([labels_by_id[i] for i in train_ids], n_classes),
                val_labels=label_matrix([labels_by_id[i] for i in val_ids], n_classes),
                magnitude_mean=mean, magnitude_std=std,
            )
    return {"train_images": len(train_rows), "val_images": len(val_rows),
            "log_norm_mean": mean.tolist(), "log_norm_std": std.tolist()}


@dataclass
class FoldTensors:
    """Features of a set of images and all their captions, as tensors on one device.

    The features keep the store's float16, which halves the memory a fold
    needs; the head converts each batch to float32, which is exact.

    Attributes
    ----------
    image : float16 or float32 (n_images, dim)
    text : float16 or float32 (n_captions, dim)
    offsets : int64 (n_images + 1,), captions of image i are ``text[offsets[i]:offsets[i + 1]]``
    labels : float32 (n_images, n_classes)
    """

    image: torch.Tensor
    text: torch.Tensor
    offsets: torch.Tensor
    labels: torch.Tensor

    @classmethod
    def gather(cls, store, image_rows, labels, device):
        """Read only ``image_rows`` and their captions from the memory-mapped store."""
        text_rows, offsets = caption_rows(store.caption_offsets, image_rows)
        return cls(
            image=torch.from_numpy(store.read_rows("image_features", image_rows)).to(device),
            text=torch.from_numpy(store.read_rows("text_features", text_rows)).to(device),
            offsets=torch.from_numpy(offsets).to(device),
            labels=torch.from_numpy(np.asarray(labels, dtype=np.float32)).to(device),
        )

    def __len__(self):
        return self.image.shape[0]

    @property
    def caption_owner(self):
        """Image position of each caption row, int64 (n_captions,)."""
        counts = self.offsets[1:] - self.offsets[:-1]
        return torch.repeat_interleave(torch.arange(len(self), device=self.offsets.device), counts)


def load_fold_view(path):
    """Read a fold view written by ``write_fold_view`` into a dict of arrays."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}
