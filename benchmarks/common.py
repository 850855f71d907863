"""Shared helpers of the benchmarks: timers, peak memory, counting encoder calls, result rows."""

import contextlib
import resource
import time
from dataclasses import dataclass

import torch


@dataclass
class Row:
    """One measured figure of the results table."""

    section: str
    name: str
    value: float
    unit: str
    note: str = ""


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


@contextlib.contextmanager
def stopwatch(device="cpu"):
    """Yield a dict whose ``seconds`` is set to the wall time of the block (GPU work included)."""
    result = {}
    synchronize(device)
    start = time.perf_counter()
    yield result
    synchronize(device)
    result["seconds"] = time.perf_counter() - start


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB.

    Linux's VmHWM restarts at exec; ru_maxrss does not, so a child started by
    a large parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class EncoderCallCounter:
    """Count the samples passed through ``get_image_features`` and ``get_text_features`` of a model."""

    def __init__(self, model):
        self.images = 0
        self.texts = 0
        original_image, original_text = model.get_image_features, model.get_text_features

        def image_features(**inputs):
            self.images += len(inputs["pixel_values"])
            return original_image(**inputs)

        def text_features(**inputs):
            self.texts += len(inputs["input_ids"])
            return original_text(**inputs)

        model.get_image_features, model.get_text_features = image_features, text_features


def matmul_gflops(device, size=2048, repeats=10):
    """Measured float32 matrix-multiply rate of the device, in GFLOP/s (2 n^3 per product)."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b  # warm-up
    with stopwatch(device) as timer:
        for _ in range(repeats):
            a @ b
    return 2 * size**3 * repeats / timer["seconds"] / 1e9
