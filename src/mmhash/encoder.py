"""Loading a frozen Hugging Face dual encoder from local files and reading its pooled features."""

import logging
import torch
from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

from .encoder_source import EncoderNotFoundError, download_hint
from .image_io import DEFAULT_MAX_IMAGE_PIXELS, open_rgb_image

log = logging.getLogger(__name__)


def load_encoder(name_or_path, device):
    """Load model, tokenizer and image processor with ``Auto*`` classes, offline.

    Parameters
    ----------
    name_or_path : str
        A local model folder, or a Hub model id that is already in the local
        Hugging Face cache.
    device : torch.device

    Returns
    -------
    (model, tokenizer, image_processor), with the model in eval mode on ``device``.
    """
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=True)
        # The PIL backend needs no torchvision, whose wheels often do not match the installed torch.
        image_processor = AutoImageProcessor.from_pretrained(name_or_path, local_files_only=True, backend="pil")
        model = AutoModel.from_pretrained(name_or_path, local_files_only=True)
    except OSError as error:
        # The chained transformers traceback adds only a misleading "couldn't connect" message.
        cause = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise EncoderNotFoundError(f"{download_hint(name_or_path)}\n(transformers: {cause})") from None
    for attribute in ("get_image_features", "get_text_features"):
        if not hasattr(model, attribute):
            raise TypeError(f"encoder {name_or_path!r} loads as {type(model).__name__}, which has no "
                            f"{attribute}(); use a dual image-text encoder such as SigLIP 2.")
    model.requires_grad_(False)
    return model.eval().to(device), tokenizer, image_processor


def configure_image_processor(image_processor, max_num_patches):
    """Set the patch budget on processors that have one (SigLIP 2 NaFlex); return whether it applied.

    Fixed-resolution checkpoints such as ``google/siglip2-base-patch16-256``
    define their patch count by image size (256 / 16 squared = 256 patches).
    """
    if hasattr(image_processor, "max_num_patches"):
        image_processor.max_num_patches = max_num_patches
        return True
    return False


def pooled_output(features):
    """Return the pooled feature tensor from ``get_*_features``.

    transformers 5 returns a ``BaseModelOutputWithPooling`` whose
    ``pooler_output`` is the projected, unnormalised vector; version 4 returned
    that tensor directly.
    """
    if isinstance(features, torch.Tensor):
        return features
    return features.pooler_output


class ImageFileDataset(torch.utils.data.Dataset):
    """Decode and preprocess image files in DataLoader workers.

    Each item is the processor output for one image with the batch dimension
    removed, so the default collate function stacks them into a batch.
    """

    def __init__(self, paths, image_processor, max_pixels=DEFAULT_MAX_IMAGE_PIXELS):
        self.paths = list(paths)
        self.image_processor = image_processor
        self.max_pixels = max_pixels

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, position):
        image = open_rgb_image(self.paths[position], self.max_pixels)
        inputs = self.image_processor(images=[image], return_tensors="pt")
        return {key: value[0] for key, value in inputs.items()}
