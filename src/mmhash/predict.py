"""Deterministic per-image predictions: every caption of an image is used, and the results averaged.

Training draws one caption per image at random; evaluating the same way would
give a different score for the same checkpoint on each run. Here each image is
paired with each of its captions, and the class probabilities and tanh hash
activations are averaged over those pairs.
"""

from typing import NamedTuple

import torch

from .device import autocast


class ImagePredictions(NamedTuple):
    probabilities: torch.Tensor  # (n_images, C), mean over the image's captions
    codes: torch.Tensor          # (n_images, B), sign of the mean tanh activation, in {-1, +1}


@torch.no_grad()
def predict_images(head, tensors, batch_size=4096):
    """Return caption-averaged probabilities and binary codes for every image of ``tensors``.

    Parameters
    ----------
    head : HashHead
    tensors : FoldTensors
    batch_size : int
        Number of (image, caption) pairs per forward pass.
    """
    head.eval()
    owner = tensors.caption_owner  # (n_captions,)
    device = tensors.image.device
    n_images = len(tensors)
    probability_sum = torch.zeros(n_images, head.config.n_classes, device=device)
    hash_sum = torch.zeros(n_images, head.config.hash_bits, device=device)
    for start in range(0, len(owner), batch_size):
        images = owner[start:start + batch_size]
        with autocast(device):
            output = head(tensors.image[images], tensors.text[start:start + batch_size])
        probability_sum.index_add_(0, images, torch.sigmoid(output.logits.float()))
        hash_sum.index_add_(0, images, output.hash.float())
    counts = (tensors.offsets[1:] - tensors.offsets[:-1]).unsqueeze(1).float()
    codes = torch.where(hash_sum >= 0, 1.0, -1.0)
    return ImagePredictions(probability_sum / counts, codes)
