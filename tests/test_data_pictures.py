"""Picture files and .npy arrays as model inputs, and natural layouts put into a model's layout."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from numnet.data.layout import to_model_layout, vectors_or_images
from numnet.data.pictures import IMAGE_FORMATS, image_format_for, read_npy, read_picture, read_samples
from numnet.models import MLP, InputSpec, LogisticRegression, SimpleConvNet

GRAY, RGB = IMAGE_FORMATS
VECTORS_784 = InputSpec("float", (784,))
GRAY_IMAGES = InputSpec("float", (1, None, None))


# ------------------------------------------------------------------ layout


def test_vectors_take_any_layout_of_their_width_flattened_in_c_order():
    x = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28)
    np.testing.assert_array_equal(to_model_layout(x, VECTORS_784), x.reshape(2, 784))
    photos = np.random.default_rng(0).random((2, 4, 4, 3))
    flat = to_model_layout(photos, InputSpec("float", (48,)))
    assert flat[1, 3 * 4 * 3 + 2 * 3 + 1] == photos[1, 3, 2, 1]  # H·W·C order, as the course flattens


def test_images_go_channels_first():
    gray = np.zeros((3, 28, 28), np.float32)
    assert to_model_layout(gray, GRAY_IMAGES).shape == (3, 1, 28, 28)
    photos = np.random.default_rng(0).random((2, 64, 64, 3))
    images = to_model_layout(photos, InputSpec("float", (3, 64, 64)))
    assert images.shape == (2, 3, 64, 64) and images.flags.c_contiguous
    np.testing.assert_array_equal(images[1, :, 5, 7], photos[1, 5, 7, :])


@pytest.mark.parametrize(
    ("x", "spec", "message"),
    [
        (np.zeros((2, 2)), VECTORS_784, r"the model takes 784 input values per sample, but points has 2"),
        (np.zeros((2, 5)), GRAY_IMAGES, r"the model takes images, but points has samples of shape \(5,\)"),
        (np.zeros((2, 8, 8, 3)), GRAY_IMAGES, r"images of 1 channel\(s\), but points has 3"),
        (np.zeros((2, 8, 8)), InputSpec("float", (1, 28, 28)), "images of 28x28 pixels, but points has 8x8"),
    ],
)
def test_samples_that_do_not_fit_are_refused_naming_their_source(x, spec, message):
    with pytest.raises(ValueError, match=message):
        to_model_layout(x, spec, "points")


def test_models_of_ids_or_of_unfixed_shape_are_neither_vectors_nor_images():
    assert vectors_or_images(VECTORS_784) == ("vectors", 784)
    assert vectors_or_images(InputSpec("float", (3, None, None))) == ("images", 3)
    for spec in (InputSpec("ids", (None,)), InputSpec("float", None), InputSpec("float", (5, 7))):
        with pytest.raises(ValueError, match="neither feature vectors nor images"):
            vectors_or_images(spec)


# ----------------------------------------------------------------- formats


def test_the_picture_format_follows_the_models_input():
    assert image_format_for(MLP([784, 10]).input_spec) is GRAY
    assert image_format_for(LogisticRegression(12288).input_spec) is RGB
    assert image_format_for(SimpleConvNet((1, 28, 28)).input_spec) is GRAY
    assert image_format_for(InputSpec("float", (3, None, None))) is RGB
    assert GRAY.shape == (28, 28) and RGB.shape == (64, 64, 3) and RGB.channels == 3
    with pytest.raises(ValueError, match="the model takes 2 input values, not 28x28 gray or 64x64 RGB pictures"):
        image_format_for(MLP([2, 3]).input_spec)
    with pytest.raises(ValueError, match=r"images of 1 channel\(s\), not"):
        image_format_for(SimpleConvNet((1, 32, 32)).input_spec)


# ---------------------------------------------------------------- pictures


def test_a_dark_digit_on_light_paper_is_inverted_like_mnist(tmp_path):
    ink = Image.new("L", (28, 28), 255)
    ImageDraw.Draw(ink).line([(14, 4), (14, 23)], fill=0, width=3)
    ink.save(tmp_path / "ink.png")
    pixels = read_picture(tmp_path / "ink.png", GRAY)
    assert pixels.dtype == np.float32 and pixels.shape == (28, 28)
    np.testing.assert_allclose(pixels, (255 - np.asarray(ink, np.float32)) / 255)
    Image.eval(ink, lambda v: 255 - v).save(tmp_path / "chalk.png")
    np.testing.assert_array_equal(read_picture(tmp_path / "chalk.png", GRAY), pixels)


def test_photos_are_resized_to_64_rgb_and_transparency_goes_white(tmp_path):
    Image.new("RGB", (80, 120), (200, 120, 40)).save(tmp_path / "photo.png")
    photo = read_picture(tmp_path / "photo.png", RGB)
    assert photo.shape == (64, 64, 3)
    np.testing.assert_allclose(photo[32, 32], np.array([200, 120, 40]) / 255, atol=1e-6)
    Image.new("RGBA", (28, 28), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    np.testing.assert_array_equal(read_picture(tmp_path / "clear.png", GRAY), 0)  # white, then inverted


def test_a_file_that_is_no_picture_or_pillow_missing_is_one_clear_error(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("not a picture")
    with pytest.raises(ValueError, match="notes.txt is neither a picture"):
        read_picture(tmp_path / "notes.txt", GRAY)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"needs Pillow: pip install 'numnet\[images\]'"):
        read_picture(tmp_path / "notes.txt", GRAY)


# -------------------------------------------------------------------- .npy


def test_npy_arrays_hold_one_sample_or_a_batch(tmp_path):
    x = np.random.default_rng(0).random((3, 784)).astype(np.float32)
    np.save(tmp_path / "one.npy", x[0].reshape(28, 28))
    np.save(tmp_path / "batch.npy", x)
    np.save(tmp_path / "pixels.npy", np.round(x * 255).astype(np.uint8))
    np.testing.assert_array_equal(read_npy(tmp_path / "one.npy", VECTORS_784), x[:1])
    np.testing.assert_array_equal(read_npy(tmp_path / "batch.npy", VECTORS_784), x)
    pixels = read_npy(tmp_path / "pixels.npy", VECTORS_784, np.float64)
    assert pixels.dtype == np.float64
    np.testing.assert_allclose(pixels, x, atol=0.5 / 255 + 1e-7)
    images = np.zeros((2, 1, 28, 28))
    np.save(tmp_path / "images.npy", images)
    np.save(tmp_path / "image.npy", images[0])
    assert read_npy(tmp_path / "images.npy", GRAY_IMAGES).shape == (2, 1, 28, 28)
    assert read_npy(tmp_path / "image.npy", GRAY_IMAGES).shape == (1, 1, 28, 28)


def test_npy_arrays_that_do_not_fit_are_refused(tmp_path):
    np.save(tmp_path / "wrong.npy", np.zeros((4, 10)))
    with pytest.raises(ValueError, match=r"shape \(4, 10\); the model takes samples of 784 values"):
        read_npy(tmp_path / "wrong.npy", VECTORS_784)
    with pytest.raises(ValueError, match=r"images of 1 channel\(s\): one image \(C, H, W\)"):
        read_npy(tmp_path / "wrong.npy", GRAY_IMAGES)
    np.save(tmp_path / "words.npy", np.array(["a", "b"]))
    with pytest.raises(ValueError, match="must hold a numeric array"):
        read_npy(tmp_path / "words.npy", VECTORS_784)
    np.savez(tmp_path / "archive.npz", x=np.zeros(3))
    (tmp_path / "archive.npz").rename(tmp_path / "archive.npy")
    with pytest.raises(ValueError, match="is a .npz archive, not a .npy array"):
        read_npy(tmp_path / "archive.npy", VECTORS_784)
    (tmp_path / "broken.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(ValueError, match="cannot read .*broken.npy as a .npy array"):
        read_npy(tmp_path / "broken.npy", VECTORS_784)


def test_read_samples_labels_each_sample_and_shapes_pictures_for_the_model(tmp_path):
    np.save(tmp_path / "batch.npy", np.zeros((2, 784), np.float32))
    samples, labels = read_samples(tmp_path / "batch.npy", VECTORS_784)
    assert samples.shape == (2, 784) and labels == [f"{tmp_path / 'batch.npy'}[0]", f"{tmp_path / 'batch.npy'}[1]"]
    Image.new("L", (28, 28)).save(tmp_path / "digit.png")
    samples, labels = read_samples(tmp_path / "digit.png", GRAY_IMAGES)
    assert samples.shape == (1, 1, 28, 28) and samples.dtype == np.float32 and labels == [str(tmp_path / "digit.png")]
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_samples(tmp_path / "missing.png", GRAY_IMAGES)
