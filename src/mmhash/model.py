"""The hashing head trained on top of frozen image and text features.

Pipeline for one (image, caption) pair, with D the encoder's feature size,
B the number of hash bits and C the number of classes:

1. decompose each pooled vector v into direction v / ||v|| and magnitude
   log ||v|| (standardised with statistics of the fold's training images);
2. fuse [image direction, text direction, their element-wise product,
   image magnitude, text magnitude] (3D + 2 inputs) with an MLP;
3. hash layer: linear to B units with tanh; sign() gives the binary code;
4. classifier: linear from the B-unit code to C logits.
"""

import json
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

EPS = 1e-12


@dataclass
class HeadConfig:
    """Sizes of the hashing head; stored in the checkpoint's metadata."""

    feature_dim: int
    n_classes: int
    hidden_sizes: list = field(default_factory=lambda: [1024, 512])
    dropout: float = 0.1
    hash_bits: int = 64


class HeadOutput(NamedTuple):
    logits: torch.Tensor          # (batch, C)
    hash: torch.Tensor            # (batch, B), tanh activations in (-1, 1)
    image_direction: torch.Tensor  # (batch, D), unit norm
    text_direction: torch.Tensor   # (batch, D), unit norm


def decompose(vectors):
    """Split vectors (batch, D) into unit directions (batch, D) and log norms (batch,)."""
    norms = vectors.norm(dim=-1, keepdim=True).clamp_min(EPS)
    return vectors / norms, norms.squeeze(-1).log()


class HashHead(nn.Module):
    """Direction/magnitude fusion MLP, tanh hash layer and linear classifier."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        # Standardisation of the two log magnitudes, fitted on the fold's training images.
        self.register_buffer("magnitude_mean", torch.zeros(2))
        self.register_buffer("magnitude_std", torch.ones(2))

        layers = []
        width = 3 * config.feature_dim + 2
        for hidden in config.hidden_sizes:
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(config.dropout)]
            width = hidden
        self.fusion = nn.Sequential(*layers)
        self.hash_layer = nn.Linear(width, config.hash_bits)
        self.classifier = nn.Linear(config.hash_bits, config.n_classes)

    def set_magnitude_stats(self, mean, std):
        self.magnitude_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.magnitude_std.copy_(torch.as_tensor(std, dtype=torch.float32))

    def forward(self, image_features, text_features):
        """Map image and text features (batch, D) to a ``HeadOutput``."""
        # Stored features are float16; the norms and their logs need float32.
        image_features, text_features = image_features.float(), text_features.float()
        image_direction, image_magnitude = decompose(image_features)
        text_direction, text_magnitude = decompose(text_features)
        magnitudes = torch.stack([image_magnitude, text_magnitude], dim=-1)  # (batch, 2)
        magnitudes = (magnitudes - self.magnitude_mean) / self.magnitude_std
        fused = torch.cat(
            [image_direction, text_direction, image_direction * text_direction, magnitudes], dim=-1
        )  # (batch, 3D + 2)
        hash_codes = torch.tanh(self.hash_layer(self.fusion(fused)))  # (batch, B)
        return HeadOutput(self.classifier(hash_codes), hash_codes, image_direction, text_direction)


def save_head(head, path):
    """Save the head's weights and buffers as safetensors, with its config in the metadata."""
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in head.state_dict().items()}
    save_file(state, str(path), metadata={"head_config": json.dumps(asdict(head.config))})


def load_head(path, device="cpu"):
    """Load a head saved by ``save_head``. safetensors never unpickles, so a checkpoint cannot run code."""
    with safe_open(str(path), framework="pt") as handle:
        config = HeadConfig(**json.loads(handle.metadata()["head_config"]))
    head = HashHead(config)
    head.load_state_dict(load_file(str(path)))
    return head.to(device).eval()
