"""Training on synthetic features: the head learns, stops early, and evaluates deterministically."""

import numpy as np
import pytest
import torch

from mmhash.fold_data import FoldTensors, caption_rows
from mmhash.model import HashHead, HeadConfig
from mmhash.predict import predict_images
from mmhash.training import TrainSettings, draw_captions, train_head


def synthetic_tensors(seed, n_images, n_classes=4, dim=24, captions_per_image=3):
    """Features whose direction encodes the labels, plus noise; the class prototypes are the same for every seed."""
    prototypes = np.random.default_rng(12345).normal(size=(n_classes, dim)) * 3
    rng = np.random.default_rng(seed)
    labels = (rng.random((n_images, n_classes)) < 0.4).astype(np.float32)
    image = labels @ prototypes + rng.normal(size=(n_images, dim))
    text = np.repeat(labels @ prototypes, captions_per_image, axis=0)
    text += rng.normal(size=text.shape)
    offsets = np.arange(0, n_images * captions_per_image + 1, captions_per_image)
    return FoldTensors(torch.tensor(image, dtype=torch.float32), torch.tensor(text, dtype=torch.float32),
                       torch.tensor(offsets), torch.tensor(labels))


def new_head(dim=24, n_classes=4):
    torch.manual_seed(0)
    return HashHead(HeadConfig(dim, n_classes, hidden_sizes=[64, 32], dropout=0.1, hash_bits=16))


def test_head_learns_and_keeps_best_epoch():
    train, val = synthetic_tensors(0, 400), synthetic_tensors(1, 100)
    settings = TrainSettings(batch_size=16, grad_accumulation=2, max_epochs=15, lr=2e-3, early_stopping_patience=15)
    result = train_head(new_head(), train, val, settings)
    maps = [row["val_mAP"] for row in result.history]
    assert len(result.history) == 15
    assert result.best_val_map == max(maps)
    assert result.best_epoch == int(np.argmax(maps)) + 1
    assert result.best_val_map > 0.9
    assert {"loss_bce", "loss_alignment", "loss_hash_regularisation", "lr", "seconds"} <= set(result.history[0])


def test_early_stopping_after_patience():
    train, val = synthetic_tensors(0, 64), synthetic_tensors(1, 32)
    # A zero learning rate never improves on the first epoch.
    settings = TrainSettings(batch_size=16, max_epochs=20, lr=1e-12, min_lr=0.0, early_stopping_patience=2)
    result = train_head(new_head(), train, val, settings)
    assert len(result.history) == 3
    assert result.best_epoch == 1


def test_learning_rate_schedule_warms_up_then_decays():
    train, val = synthetic_tensors(0, 64), synthetic_tensors(1, 16)
    settings = TrainSettings(batch_size=16, grad_accumulation=1, max_epochs=6, lr=1e-3, min_lr=1e-6,
                             warmup_epochs=1, early_stopping_patience=10)
    rates = [row["lr"] for row in train_head(new_head(), train, val, settings).history]
    assert rates[0] == pytest.approx(1e-3)  # end of the warm-up epoch
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert rates[-1] == pytest.approx(1e-6)


def test_non_finite_loss_names_fold_and_epoch():
    train, val = synthetic_tensors(0, 32), synthetic_tensors(1, 16)
    train.image[3] = float("nan")
    with pytest.raises(FloatingPointError, match="fold 4, epoch 1"):
        train_head(new_head(), train, val, TrainSettings(batch_size=32, max_epochs=2), fold=4)


def test_evaluation_is_deterministic_over_captions():
    tensors = synthetic_tensors(2, 50)
    head = new_head()
    first, second = predict_images(head, tensors), predict_images(head, tensors)
    torch.testing.assert_close(first.probabilities, second.probabilities)
    assert torch.equal(first.codes, second.codes)
    assert set(first.codes.unique().tolist()) <= {-1.0, 1.0}


def test_caption_draws_are_seeded_and_stay_in_image():
    offsets = torch.tensor([0, 5, 6, 10])
    draws = [draw_captions(offsets, torch.Generator().manual_seed(1)) for _ in range(2)]
    assert torch.equal(draws[0], draws[1])
    for image, row in enumerate(draws[0].tolist()):
        assert offsets[image] <= row < offsets[image + 1]


def test_caption_rows_of_subset():
    offsets = np.array([0, 2, 5, 6, 9])
    rows, subset_offsets = caption_rows(offsets, np.array([1, 3]))
    assert rows.tolist() == [2, 3, 4, 6, 7, 8]
    assert subset_offsets.tolist() == [0, 3, 6]
