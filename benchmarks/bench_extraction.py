"""Feature extraction: images per second end to end against the encoder's forward pass alone.

End to end means what ``embed_features`` does per image: read the JPEG, decode,
convert to RGB, resize and normalise in DataLoader workers, run the encoder
and write the features. The forward-only figure runs the same encoder on
batches that were preprocessed beforehand. Their ratio shows what the input
pipeline costs: at 1.0 the encoder would never wait for input.
"""

import numpy as np
import torch
from numpy.lib.format import open_memmap
from PIL import Image

from common import Row, stopwatch
from mmhash.embedding import encode_images
from mmhash.encoder import ImageFileDataset, configure_image_processor, load_encoder, pooled_output
from mmhash.device import autocast
from mmhash.tiny_encoder import write_tiny_encoder


def write_photos(folder, count, size=(640, 480), seed=0):
    """COCO-sized JPEGs (640 x 480) of smooth noise, so decoding costs what a photo costs."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        small = rng.integers(0, 256, size=(size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
        image = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
        path = folder / f"photo_{number:04d}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


@torch.no_grad()
def forward_only_rate(model, processor, paths, batch_size, device):
    dataset = ImageFileDataset(paths, processor)
    batches = []
    for start in range(0, len(paths), batch_size):
        items = [dataset[i] for i in range(start, min(start + batch_size, len(paths)))]
        batches.append({k: torch.stack([item[k] for item in items]).to(device) for k in items[0]})
    pooled_output(model.get_image_features(**batches[0]))  # warm-up
    with stopwatch(device) as timer:
        for batch in batches:
            with autocast(device):
                pooled_output(model.get_image_features(**batch))
    return len(paths) / timer["seconds"]


def end_to_end_rate(model, processor, paths, batch_size, num_workers, device, out_path):
    dim = model.config.text_config.projection_size
    out = open_memmap(out_path, mode="w+", dtype=np.float16, shape=(len(paths), dim))
    with stopwatch(device) as timer:
        encode_images(model, processor, paths, out, batch_size, num_workers, device)
        out.flush()
    return len(paths) / timer["seconds"]


def run(folder, device, n_images=192, encoder_size=None, workers=(0, 1, 2), batch_sizes=(16, 64)):
    # The encoder of section 1: SigLIP 2 base's input shape on a smaller transformer.
    encoder_size = encoder_size or {"hidden_size": 128, "num_layers": 4, "num_heads": 4, "patch_size": 16,
                                    "max_num_patches": 256}
    write_tiny_encoder(folder / "encoder", **encoder_size)
    paths = write_photos(folder / "photos", n_images)
    model, _, processor = load_encoder(str(folder / "encoder"), device)
    configure_image_processor(processor, encoder_size["max_num_patches"])

    section = f"2. feature extraction ({n_images} JPEGs of 640 x 480, {encoder_size['max_num_patches']} patches)"
    rows, best, fastest_forward = [], None, 0.0
    for batch_size in batch_sizes:
        forward = forward_only_rate(model, processor, paths, batch_size, device)
        fastest_forward = max(fastest_forward, forward)
        rows.append(Row(section, f"forward pass only, batch {batch_size}", forward, "images/s"))
        for num_workers in workers:
            rate = end_to_end_rate(model, processor, paths, batch_size, num_workers, device, folder / "out.npy")
            rows.append(Row(section, f"end to end, batch {batch_size}, {num_workers} workers", rate, "images/s",
                            f"{rate / forward:.2f} of forward-only at this batch size"))
            if best is None or rate > best[0]:
                best = (rate, batch_size, num_workers)
    rows.append(Row(section, f"fastest end to end (batch {best[1]}, {best[2]} workers) / fastest forward-only",
                    best[0] / fastest_forward, "ratio"))
    return rows


