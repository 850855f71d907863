"""Training loss of the hashing head: classification, cross-modal alignment and hash regularisation.

total = w_bce * BCE(logits, labels)
      + w_align * (1 - cos(image direction, text direction))
      + w_hash * (quantisation + w_balance * bit balance + w_decorrelation * bit decorrelation)
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class LossWeights:
    bce: float = 1.0
    alignment: float = 1.0
    hash: float = 0.1
    bit_balance: float = 0.1
    bit_decorrelation: float = 0.01


def alignment_loss(image_direction, text_direction):
    """Mean of 1 - cos between paired unit directions (batch, D).

    NOTE: with frozen encoders both directions are fixed inputs, so this term
    has no gradient with respect to the head. It is logged as a diagnostic of
    how well the encoder aligns the pairs.
    """
    return (1.0 - (image_direction * text_direction).sum(dim=-1)).mean()


def quantisation_loss(hash_codes):
    """Mean of (|h| - 1)^2: pulls tanh outputs towards the binary codes -1 and +1."""
    return (hash_codes.abs() - 1.0).pow(2).mean()


def bit_balance_loss(hash_codes):
    """Mean over bits of the squared batch mean: each bit should be +1 for half the samples."""
    return hash_codes.mean(dim=0).pow(2).mean()


def bit_decorrelation_loss(hash_codes):
    """Sum of squared off-diagonal covariances between bits, divided by B^2."""
    n_samples, n_bits = hash_codes.shape
    centred = hash_codes - hash_codes.mean(dim=0, keepdim=True)
    covariance = centred.T @ centred / max(n_samples - 1, 1)  # (B, B)
    off_diagonal = covariance - torch.diag(torch.diagonal(covariance))
    return off_diagonal.pow(2).sum() / n_bits**2


def hash_loss(output, labels, weights):
    """Return the weighted total loss and a dict of each term's value (as tensors).

    Parameters
    ----------
    output : HeadOutput
    labels : float tensor (batch, C) of 0/1
    weights : LossWeights
    """
    terms = {
        "bce": F.binary_cross_entropy_with_logits(output.logits.float(), labels),
        "alignment": alignment_loss(output.image_direction.float(), output.text_direction.float()),
        "quantisation": quantisation_loss(output.hash.float()),
        "bit_balance": bit_balance_loss(output.hash.float()),
        "bit_decorrelation": bit_decorrelation_loss(output.hash.float()),
    }
    hash_regularisation = (terms["quantisation"] + weights.bit_balance * terms["bit_balance"]
                           + weights.bit_decorrelation * terms["bit_decorrelation"])
    total = weights.bce * terms["bce"] + weights.alignment * terms["alignment"] + weights.hash * hash_regularisation
    terms["hash_regularisation"] = hash_regularisation
    return total, terms
