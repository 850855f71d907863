"""A tiny, randomly initialised SigLIP 2 saved as a local Hugging Face model folder.

It uses the real ``Siglip2Model`` architecture, the real ``Siglip2Tokenizer``
class with a byte-fallback vocabulary (so any caption text is covered) and the
real SigLIP 2 image processor. The workflow therefore loads it through the same
``Auto*`` calls as ``google/siglip2-base-patch16-256`` or any local checkpoint.
Its features carry no learned meaning; it exists so that the whole workflow
runs in minutes on a CPU.
"""

import logging

import torch
from transformers import Siglip2Config, Siglip2Model
from transformers.models.siglip2 import Siglip2ImageProcessorPil, Siglip2Tokenizer

from .atomic import atomic_directory

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]


def build_byte_fallback_vocab():
    """Return a vocabulary of the special tokens, all 256 bytes, the SentencePiece space and printable ASCII.

    ``Siglip2Tokenizer`` enables byte fallback, so characters outside the
    vocabulary are encoded as their UTF-8 bytes instead of ``<unk>``.
    """
    vocab = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for byte in range(256):
        vocab[f"<0x{byte:02X}>"] = len(vocab)
    for char in ["\u2581"] + [chr(code) for code in range(33, 127)]:
        vocab.setdefault(char, len(vocab))
    return vocab


def write_tiny_encoder(path, hidden_size=32, num_layers=2, num_heads=2, patch_size=8,
                       max_num_patches=64, max_text_length=64, seed=0):
    """Save a tiny random SigLIP 2 model, tokenizer and image processor to ``path``.

    Parameters
    ----------
    path : path
        Destination folder, replaced atomically.
    hidden_size, num_layers, num_heads : int
        Width, depth and attention heads of both towers; the pooled features
        have ``hidden_size`` dimensions.
    patch_size, max_num_patches : int
        Vision patch size in pixels and the maximum patch count per image.
    max_text_length : int
        Number of text positions of the text tower.
    seed : int
        Seed for the random weights.
    """
    vocab = build_byte_fallback_vocab()
    tokenizer = Siglip2Tokenizer(vocab=vocab, merges=[])
    tokenizer.model_max_length = max_text_length

    config = Siglip2Config(
        text_config={
            "vocab_size": len(tokenizer), "hidden_size": hidden_size, "intermediate_size": 2 * hidden_size,
            "num_hidden_layers": num_layers, "num_attention_heads": num_heads,
            "max_position_embeddings": max_text_length, "projection_size": hidden_size,
            "pad_token_id": vocab["<pad>"], "bos_token_id": vocab["<bos>"], "eos_token_id": vocab["<eos>"],
        },
        vision_config={
            "hidden_size": hidden_size, "intermediate_size": 2 * hidden_size, "num_hidden_layers": num_layers,
            "num_attention_heads": num_heads, "patch_size": patch_size, "num_patches": max_num_patches,
        },
    )
    torch.manual_seed(seed)
    model = Siglip2Model(config).eval()
    image_processor = Siglip2ImageProcessorPil(patch_size=patch_size, max_num_patches=max_num_patches)

    with atomic_directory(path) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        image_processor.save_pretrained(tmp)
    n_params = sum(p.numel() for p in model.parameters())
    log.info("wrote tiny SigLIP 2 (%d parameters, %d-d features) to %s", n_params, hidden_size, path)
