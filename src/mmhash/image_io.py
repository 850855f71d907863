"""Reading image files as RGB, and checking them before any encoding starts."""

import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's default limit (about 89.5 megapixels) against decompression bombs.
DEFAULT_MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS
WHITE = (255, 255, 255)


class ImageTooLargeError(ValueError):
    """An image has more pixels than ``dataset.max_image_pixels`` allows."""


def _to_rgb(image):
    """Convert any Pillow mode to RGB: 16- and 32-bit grey scaled to 8 bits, transparency over white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        high = pixels.max() if image.mode in ("I", "F") else 65535.0
        image = Image.fromarray(np.clip(pixels / max(high, 1.0) * 255.0, 0, 255).astype(np.uint8), mode="L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, WHITE)
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")


def _open_checked(path, max_pixels):
    """Open ``path`` with the pixel limit turned into a clear error naming the file and the setting."""
    Image.MAX_IMAGE_PIXELS = None  # checked below, with our own message
    image = Image.open(path)
    pixels = image.width * image.height
    if max_pixels is not None and pixels > max_pixels:
        image.close()
        raise ImageTooLargeError(
            f"{path}: {image.width} x {image.height} = {pixels} pixels is above dataset.max_image_pixels "
            f"({max_pixels}), Pillow's guard against decompression bombs. If the file is trusted, raise "
            "dataset.max_image_pixels in the config.")
    return image


def open_rgb_image(path, max_pixels=DEFAULT_MAX_IMAGE_PIXELS):
    """Open an image file, apply its EXIF orientation and return it as RGB.

    Grey (L), palette (P), RGBA, CMYK and 16-bit (I;16) images all become RGB;
    transparent pixels are shown over white and 16-bit values are scaled to 8 bits.
    """
    with _open_checked(path, max_pixels) as image:
        return _to_rgb(ImageOps.exif_transpose(image))


def image_problem(path, max_pixels=DEFAULT_MAX_IMAGE_PIXELS):
    """Return why ``path`` cannot be used as an image, or None if it decodes.

    Raises
    ------
    ImageTooLargeError
        Above ``max_pixels``; this is not a per-image skip but a setting to change.
    """
    path = Path(path)
    if not path.is_file():
        return "file not found"
    if path.stat().st_size == 0:
        return "empty file (0 bytes)"
    try:
        with _open_checked(path, max_pixels) as image:
            # Decoding at reduced scale still reads every byte, so truncation is found quickly.
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
    except ImageTooLargeError:
        raise
    except UnidentifiedImageError:
        return "not an image file Pillow can read"
    except (OSError, SyntaxError, ValueError) as error:
        return f"cannot be decoded: {error}"
    return None


def find_image_problems(paths, max_pixels=DEFAULT_MAX_IMAGE_PIXELS, workers=4):
    """Check every file; return a list of (index, reason) for those that cannot be used.

    Pillow releases the GIL while decoding, so threads check files in parallel.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        reasons = list(pool.map(lambda p: image_problem(p, max_pixels), paths, chunksize=64))
    return [(position, reason) for position, reason in enumerate(reasons) if reason is not None]
