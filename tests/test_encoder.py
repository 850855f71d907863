"""The tiny SigLIP 2, loaded through the same Auto* path as a real checkpoint, and image decoding."""

import numpy as np
import pytest
import torch
from PIL import Image

from mmhash.encoder import (
    ImageFileDataset,
    configure_image_processor,
    load_encoder,
    pooled_output,
)
from mmhash.encoder_source import EncoderNotFoundError
from mmhash.image_io import open_rgb_image
from mmhash.tiny_encoder import write_tiny_encoder

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def encoder(tiny_encoder_dir):
    return load_encoder(str(tiny_encoder_dir), CPU)


def test_tiny_encoder_loads_as_siglip2(encoder):
    model, tokenizer, image_processor = encoder
    assert type(model).__name__ == "Siglip2Model"
    assert type(tokenizer).__name__ == "Siglip2Tokenizer"
    assert configure_image_processor(image_processor, 16)
    assert not any(p.requires_grad for p in model.parameters())


def test_tokenizer_covers_any_text(encoder):
    _, tokenizer, _ = encoder
    text = "Ein Café in Zürich, 台北的貓 🐈 and a naïve résumé"
    ids = tokenizer(text)["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == text.lower()


def test_pooled_features_are_unnormalised(encoder):
    model, tokenizer, _ = encoder
    tokens = tokenizer(["a red ball", "two blue boxes and a cat", "x"], padding="max_length", max_length=64,
                       truncation=True, return_tensors="pt")
    with torch.no_grad():
        features = pooled_output(model.get_text_features(**tokens))
    norms = features.norm(dim=1)
    assert features.shape == (3, 32)
    assert not torch.allclose(norms, torch.ones(3), atol=1e-3)
    assert norms.std() > 0


def test_same_tiny_encoder_for_same_seed(tmp_path, tiny_encoder_dir):
    write_tiny_encoder(tmp_path / "again", hidden_size=32, num_layers=1, num_heads=2, patch_size=8, max_num_patches=16)
    again = (tmp_path / "again" / "model.safetensors").read_bytes()
    assert again == (tiny_encoder_dir / "model.safetensors").read_bytes()


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK"])
def test_image_modes_become_rgb(tmp_path, mode, encoder):
    path = tmp_path / f"image_{mode}.png" if mode != "CMYK" else tmp_path / "image.jpg"
    Image.new("RGB", (40, 30), (200, 30, 30)).convert(mode).save(path)
    image = open_rgb_image(path)
    assert image.mode == "RGB"
    item = ImageFileDataset([path], encoder[2])[0]
    assert torch.isfinite(item["pixel_values"]).all()


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((20, 40, 3), dtype=np.uint8)  # 40 wide, 20 high
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    image.save(tmp_path / "rotated.jpg", exif=exif)
    assert open_rgb_image(tmp_path / "rotated.jpg").size == (20, 40)


def test_missing_encoder_explains_download(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(EncoderNotFoundError, match="hf download google/siglip2-base-patch16-256"):
        load_encoder("google/siglip2-base-patch16-256", CPU)
    with pytest.raises(EncoderNotFoundError, match="was not found as a local folder"):
        load_encoder(str(tmp_path / "no-such-model"), CPU)
