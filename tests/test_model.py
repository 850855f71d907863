"""The hashing head: shapes, the magnitude inputs, the loss terms and checkpoints."""

import numpy as np
import pytest
import torch

from mmhash.losses import (
    LossWeights,
    bit_balance_loss,
    bit_decorrelation_loss,
    hash_loss,
    quantisation_loss,
)
from mmhash.model import HashHead, HeadConfig, decompose, load_head, save_head


def make_head(feature_dim=16, n_classes=5, hash_bits=8):
    torch.manual_seed(0)
    return HashHead(HeadConfig(feature_dim, n_classes, hidden_sizes=[32, 24], dropout=0.0, hash_bits=hash_bits))


def test_head_output_shapes():
    head = make_head()
    output = head(torch.randn(7, 16), torch.randn(7, 16))
    assert output.logits.shape == (7, 5)
    assert output.hash.shape == (7, 8)
    assert output.image_direction.shape == (7, 16)
    assert head.fusion[0].in_features == 3 * 16 + 2
    assert output.hash.abs().max() < 1


def test_magnitude_inputs_vary_with_feature_norm():
    vectors = torch.randn(6, 16) * torch.arange(1, 7).unsqueeze(1)
    directions, magnitudes = decompose(vectors)
    torch.testing.assert_close(directions.norm(dim=1), torch.ones(6))
    torch.testing.assert_close(magnitudes, vectors.norm(dim=1).log())
    assert magnitudes.std() > 0.1

    # Same directions, different norms: the head's output must change.
    head = make_head().eval()
    text = torch.randn(6, 16)
    assert not torch.allclose(head(vectors, text).logits, head(vectors * 3, text).logits)


def test_loss_terms_hand_computed():
    h = torch.tensor([[0.5, -1.0], [1.0, -0.5]])
    # (|h| - 1)^2 = [[0.25, 0], [0, 0.25]] -> mean 0.125
    assert quantisation_loss(h).item() == pytest.approx(0.125)
    # batch means per bit: 0.75 and -0.75 -> mean of squares 0.5625
    assert bit_balance_loss(h).item() == pytest.approx(0.5625)
    codes = torch.randn(50, 6)
    covariance = np.cov(codes.numpy(), rowvar=False)
    off_diagonal = covariance - np.diag(np.diag(covariance))
    assert bit_decorrelation_loss(codes).item() == pytest.approx((off_diagonal**2).sum() / 36, rel=1e-5)


def test_total_loss_combines_weighted_terms():
    head = make_head()
    output = head(torch.randn(9, 16), torch.randn(9, 16))
    labels = (torch.rand(9, 5) > 0.5).float()
    weights = LossWeights(bce=1.0, alignment=1.0, hash=0.1, bit_balance=0.1, bit_decorrelation=0.01)
    total, terms = hash_loss(output, labels, weights)
    regularisation = terms["quantisation"] + 0.1 * terms["bit_balance"] + 0.01 * terms["bit_decorrelation"]
    assert total.item() == pytest.approx((terms["bce"] + terms["alignment"] + 0.1 * regularisation).item())
    cosine = torch.nn.functional.cosine_similarity(output.image_direction, output.text_direction)
    assert terms["alignment"].item() == pytest.approx((1 - cosine).mean().item(), abs=1e-6)


def test_checkpoint_round_trip(tmp_path):
    head = make_head().eval()
    head.set_magnitude_stats([1.5, 2.0], [0.3, 0.4])
    save_head(head, tmp_path / "model.safetensors")
    loaded = load_head(tmp_path / "model.safetensors")
    image, text = torch.randn(4, 16), torch.randn(4, 16)
    torch.testing.assert_close(loaded(image, text).logits, head(image, text).logits)
    assert loaded.config == head.config
    torch.testing.assert_close(loaded.magnitude_std, torch.tensor([0.3, 0.4]))
