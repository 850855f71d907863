"""Head training speed on cached features against the machine's matrix-multiply rate.

The default head (3 x 768 + 2 = 2306 inputs -> 1024 -> 512 -> 64 bits -> 80
classes) costs about 2 x parameters FLOPs per sample forward and twice that
backward, so the measured matrix-multiply rate divided by that cost is the
fastest any implementation could train. The reported fraction shows how close
the training loop gets.
"""

import torch

from common import Row, matmul_gflops, stopwatch
from mmhash.fold_data import FoldTensors
from mmhash.losses import LossWeights, hash_loss
from mmhash.model import HashHead, HeadConfig


def synthetic_tensors(n_images, dim, n_classes, device, captions_per_image=5, seed=0):
    generator = torch.Generator().manual_seed(seed)
    offsets = torch.arange(0, n_images * captions_per_image + 1, captions_per_image)
    return FoldTensors(
        torch.randn(n_images, dim, generator=generator).to(device),
        torch.randn(n_images * captions_per_image, dim, generator=generator).to(device),
        offsets.to(device),
        (torch.rand(n_images, n_classes, generator=generator) < 0.05).float().to(device),
    )


def epoch_seconds(head, train, batch_size, accumulation, device, max_steps=None):
    """Time one training epoch (or its first ``max_steps`` micro-batches); return (seconds, samples)."""
    optimizer = torch.optim.AdamW(head.parameters(), lr=2e-4)
    order = torch.randperm(len(train), device=device)
    caption_rows = train.offsets[:-1]
    steps = (len(train) + batch_size - 1) // batch_size
    steps = min(steps, max_steps or steps)
    with stopwatch(device) as timer:
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            loss, _ = hash_loss(head(train.image[batch], train.text[caption_rows[batch]]), train.labels[batch],
                                LossWeights())
            (loss / accumulation).backward()
            if (step + 1) % accumulation == 0:
                torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
    return timer["seconds"], min(steps * batch_size, len(train))


def run(device, n_images=94_630, dim=768, n_classes=80, batch_sizes=(32, 256)):
    train = synthetic_tensors(n_images, dim, n_classes, device)
    config = HeadConfig(dim, n_classes)
    head = HashHead(config).to(device)
    macs = sum(m.in_features * m.out_features for m in head.modules() if isinstance(m, torch.nn.Linear))
    flops_per_sample = 3 * 2 * macs  # forward, plus backward at twice the forward cost
    rate = matmul_gflops(device)
    floor = rate * 1e9 / flops_per_sample

    section = f"3. head training ({3 * dim + 2} -> 1024 -> 512 -> 64 -> {n_classes}, {n_images} samples per epoch)"
    rows = [Row(section, "matrix multiply rate (float32, 2048 x 2048)", rate, "GFLOP/s"),
            Row(section, "training cost per sample", flops_per_sample / 1e6, "MFLOP"),
            Row(section, "floor: samples/s at the matrix-multiply rate", floor, "samples/s")]
    for batch_size in batch_sizes:
        seconds, samples = epoch_seconds(head, train, batch_size, 2 if batch_size == 32 else 1, device)
        throughput = samples / seconds
        rows.append(Row(section, f"training, batch {batch_size}", throughput, "samples/s",
                        f"{throughput / floor:.0%} of the floor; epoch {n_images / throughput:.1f} s"))
    return rows
