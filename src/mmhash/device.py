"""Choice of the torch device and of mixed precision."""

import contextlib

import torch


def resolve_device(setting):
    """Return the torch device for a config value: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.

    ``auto`` picks CUDA when a GPU is visible, else the CPU.
    """
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(setting)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"config 'device' is {setting!r}, but torch sees no CUDA device "
            f"(torch {torch.__version__}). Set device: auto or device: cpu."
        )
    return device


def autocast(device, enabled=True):
    """Return an autocast context: bfloat16 (or float16) on CUDA, a no-op on the CPU."""
    if device.type != "cuda" or not enabled:
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast(device_type="cuda", dtype=dtype)


def needs_grad_scaler(device, enabled=True):
    """Return whether float16 autocast is in use, which needs loss scaling."""
    return device.type == "cuda" and enabled and not torch.cuda.is_bf16_supported()
