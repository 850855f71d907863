"""Encoder sources: a local folder or the local Hugging Face cache, never the network.

This module imports no transformers, so the workflow can check the encoder
while it builds the DAG, before any job runs.
"""

import os
from pathlib import Path


class EncoderNotFoundError(OSError):
    """The encoder is neither a local folder nor in the local Hugging Face cache."""


def download_hint(name):
    """Explain where the encoder was looked for and how to fetch it on a machine with internet access."""
    cache = os.environ.get("HF_HUB_CACHE") or os.environ.get("HF_HOME") or "~/.cache/huggingface"
    folder = f"models/{name.rstrip('/').split('/')[-1]}"
    return (f"encoder {name!r} was not found as a local folder (relative to {Path.cwd()}) "
            f"or in the Hugging Face cache ({cache}), and the workflow loads models offline. "
            "On a machine with internet access run\n"
            f"    hf download {name} --local-dir {folder}\n"
            f"then copy that folder here and set encoder.name_or_path: {folder} "
            "in the config (or copy the whole Hugging Face cache folder and keep the model name).")


def check_encoder_available(name_or_path):
    """Raise ``EncoderNotFoundError`` unless the encoder is a local folder or in the local cache."""
    if Path(name_or_path).is_dir():
        return
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(name_or_path, "config.json")
    except ValueError:  # not a valid Hub id either
        cached = None
    if not isinstance(cached, str):
        raise EncoderNotFoundError(download_hint(name_or_path))
