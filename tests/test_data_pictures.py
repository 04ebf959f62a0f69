"""Picture files and .npy arrays as model inputs, and natural layouts put into a model's layout."""

from __future__ import annotations

import io
import struct
import sys
import zlib

import numpy as np
import PIL.Image
import pytest
from PIL import Image, ImageDraw

from numnet.data import load_mnist, load_mnist_mini
from numnet.data.layout import to_model_layout, vectors_or_images
from numnet.data.pictures import (
    CLOTHES,
    IMAGE_FORMATS,
    MAX_PICTURE_PIXELS,
    image_format_for,
    mnist_digit,
    read_gray,
    read_npy,
    read_picture,
    read_samples,
)
from numnet.models import MLP, InputSpec, LogisticRegression, SimpleConvNet
from numnet.optimizers import Adam
from numnet.training import Trainer

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


def digit_stroke(size: tuple[int, int], box: tuple[int, int, int, int], ink: int = 0, paper: int = 255) -> Image.Image:
    """A "7" of thick strokes drawn in ``box`` (left, top, right, bottom) on a canvas of ``size``."""
    picture = Image.new("L", size, paper)
    left, top, right, bottom = box
    draw = ImageDraw.Draw(picture)
    width = max(2, (right - left) // 6)
    draw.line([(left, top), (right, top), (left + (right - left) // 3, bottom)], fill=ink, width=width)
    return picture


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, columns = np.indices(image.shape)
    return float((rows * image).sum() / image.sum()), float((columns * image).sum() / image.sum())


def ink_box(image: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    """Height and width of the box holding the pixels >= threshold."""
    rows, columns = np.flatnonzero((image >= threshold).any(1)), np.flatnonzero((image >= threshold).any(0))
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def test_a_digit_anywhere_on_any_canvas_becomes_an_mnist_digit(tmp_path):
    # dark ink on light paper, off-centre on a wide canvas without margins on the left
    digit_stroke((300, 120), (0, 10, 60, 110)).save(tmp_path / "ink.png")
    digit = read_picture(tmp_path / "ink.png", GRAY)
    assert digit.dtype == np.float32 and digit.shape == (28, 28)
    assert digit.max() == pytest.approx(1.0, abs=0.02) and digit.min() >= 0.0  # white ink on black
    assert max(ink_box(digit)) in (19, 20, 21)  # fitted into 20x20, keeping the aspect ratio (tall: 100 by 60)
    height, width = ink_box(digit)
    assert height > width
    np.testing.assert_allclose(centre_of_mass(digit), (14, 14), atol=0.5)  # centred by its mass, as MNIST
    # the same digit, smaller, elsewhere, light on dark: the same input
    digit_stroke((90, 200), (40, 120, 70, 170), ink=255, paper=0).save(tmp_path / "chalk.png")
    np.testing.assert_allclose(read_picture(tmp_path / "chalk.png", GRAY), digit, atol=0.25)


def test_an_mnist_digit_read_as_a_picture_stays_itself():
    _, (x_test, _) = load_mnist_mini(flatten=False)
    for image in x_test[:20, 0]:
        again = mnist_digit(image)
        assert np.abs(again - image).mean() < 0.06


@pytest.mark.parametrize("kind", ["1-bit", "8-bit", "16-bit", "palette", "RGB", "RGBA"])
def test_grey_levels_are_scaled_by_the_pictures_own_bit_depth(tmp_path, kind):
    picture = digit_stroke((64, 48), (10, 5, 40, 40))
    gray = np.asarray(picture)
    if kind == "1-bit":
        picture = picture.convert("1")
    elif kind == "16-bit":
        picture = Image.fromarray(gray.astype(np.uint16) * 257)  # the same grey levels at 16 bits
        assert picture.mode.startswith("I;16")
    elif kind == "palette":
        picture = picture.convert("P")
    elif kind == "RGB":
        picture = picture.convert("RGB")
    elif kind == "RGBA":  # transparent paper, opaque ink: put on white
        picture = Image.new("RGBA", picture.size, (0, 0, 0, 0))
        picture.putalpha(Image.fromarray(255 - gray))
    picture.save(tmp_path / "digit.png")
    assert read_gray(tmp_path / "digit.png").max() <= 1.0
    np.testing.assert_allclose(read_gray(tmp_path / "digit.png"), gray / 255, atol=1 / 255)


def test_photos_are_resized_to_64_rgb_and_transparency_goes_white(tmp_path):
    Image.new("RGB", (80, 120), (200, 120, 40)).save(tmp_path / "photo.png")
    photo = read_picture(tmp_path / "photo.png", RGB)
    assert photo.shape == (64, 64, 3)
    np.testing.assert_allclose(photo[32, 32], np.array([200, 120, 40]) / 255, atol=1e-6)
    Image.new("RGBA", (30, 20), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    np.testing.assert_allclose(read_picture(tmp_path / "clear.png", RGB), 1.0)  # white


def test_blank_pictures_are_refused(tmp_path):
    Image.new("L", (40, 40), 250).save(tmp_path / "paper.png")
    Image.new("RGBA", (28, 28), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    for name in ("paper.png", "clear.png"):
        with pytest.raises(ValueError, match=rf"{name} is blank: nothing in it differs from its background"):
            read_picture(tmp_path / name, GRAY)


def png_claiming(width: int, height: int) -> bytes:
    """A small valid PNG whose header claims ``width`` x ``height`` pixels (its data is not there)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    return bytes(data)


def test_pictures_over_the_pixel_limit_are_refused_before_decoding(tmp_path):
    (tmp_path / "huge.png").write_bytes(png_claiming(100_000, 100_000))
    with pytest.raises(ValueError, match=r"huge.png: Image size \(10000000000 pixels\) exceeds limit"):
        read_picture(tmp_path / "huge.png", GRAY)  # Pillow's own limit, checked when it opens the file
    (tmp_path / "big.png").write_bytes(png_claiming(6000, 6000))  # under Pillow's own limit, over numnet's
    with pytest.raises(ValueError, match=f"big.png: it has 6000x6000 pixels, more than {MAX_PICTURE_PIXELS:,}"):
        read_picture(tmp_path / "big.png", GRAY)


def test_pillow_warnings_become_the_one_error(tmp_path, monkeypatch):
    digit_stroke((15, 10), (2, 2, 12, 8)).save(tmp_path / "digit.png")
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 100)  # 150 pixels: Pillow warns (a decompression bomb)
    with pytest.raises(ValueError, match=r"cannot read the picture .*digit.png: Image size \(150 pixels\) exceeds"):
        read_picture(tmp_path / "digit.png", GRAY)
    (tmp_path / "cut.png").write_bytes(png_claiming(8, 8)[:-20])
    with pytest.raises(ValueError, match="cannot read the picture .*cut.png"):
        read_picture(tmp_path / "cut.png", GRAY)


def test_a_file_that_is_no_picture_or_pillow_missing_is_one_clear_error(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("not a picture")
    with pytest.raises(ValueError, match="notes.txt is neither a picture"):
        read_picture(tmp_path / "notes.txt", GRAY)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"needs Pillow: pip install 'numnet\[images\]'"):
        read_picture(tmp_path / "notes.txt", GRAY)


def test_fashion_mnist_models_take_clothes_filling_the_field(tmp_path):
    assert image_format_for(MLP([784, 10]).input_spec, "fashion-mnist") is CLOTHES
    picture = Image.new("L", (90, 60), 255)
    ImageDraw.Draw(picture).rectangle([20, 10, 50, 50], fill=0)
    picture.save(tmp_path / "shirt.png")
    shirt = read_picture(tmp_path / "shirt.png", CLOTHES)
    assert ink_box(shirt) == (28, 21)  # 41 by 31 fitted into 28x28


# ---------------------------------------------------- measured: MNIST digits as pictures


def transformed_digit_pictures(digits: np.ndarray, folder, seed: int = 0) -> list:
    """Each 28x28 digit upsampled 3-8x, pasted off-centre on a canvas of another aspect ratio; half inverted
    (dark on light), a third saved at 16 bits. Returns the paths of the PNG files."""
    rng = np.random.default_rng(seed)
    paths = []
    for index, digit in enumerate(digits):
        side = round(28 * rng.uniform(3, 8))
        big = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR))
        long, short = round(side * rng.uniform(1.1, 2.5)), round(side * rng.uniform(1.0, 1.4))
        height, width = (short, long) if rng.random() < 0.5 else (long, short)
        canvas = np.zeros((height, width), np.uint8)
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        canvas[top : top + side, left : left + side] = big
        if index % 2:
            canvas = 255 - canvas
        picture = Image.fromarray(canvas.astype(np.uint16) * 257) if index % 3 == 0 else Image.fromarray(canvas)
        paths.append(folder / f"{index}.png")
        picture.save(paths[-1])
    return paths


def same_label_share(model, x_test: np.ndarray, folder) -> float:
    """The share of 200 MNIST test digits that the model labels the same as pictures as it does as arrays."""
    digits = np.round(x_test[:200].reshape(-1, 28, 28) * 255).astype(np.uint8)
    paths = transformed_digit_pictures(digits, folder)
    pictures = np.stack([read_picture(path, GRAY) for path in paths]).reshape(200, -1)
    with Image.open(paths[0]) as sixteen_bits, Image.open(paths[1]) as eight_bits:
        assert sixteen_bits.mode.startswith("I;16") and eight_bits.mode == "L"
    return float(np.mean(model.predict_labels(pictures) == model.predict_labels(x_test[:200])))


def test_digits_pasted_large_off_centre_and_inverted_keep_their_label_offline(tmp_path):
    """A small model trained on mnist-mini in seconds: its uncertain digits flip more easily (the measured
    requirement, >= 95%, is the full-MNIST test below); before the MNIST recipe this share was 0.27."""
    (x_train, t_train), (x_test, _) = load_mnist_mini()
    model = MLP([784, 100, 10], seed=0)
    Trainer(model, Adam(lr=1e-3)).fit(x_train, t_train, epochs=5, seed=0, verbose=0)
    assert same_label_share(model, x_test, tmp_path) >= 0.93


@pytest.mark.slow
@pytest.mark.needs_data
def test_digits_pasted_large_off_centre_and_inverted_keep_their_label_for_a_model_trained_on_mnist(tmp_path):
    """The measured requirement: >= 95% of 200 transformed MNIST test digits keep their label (0.97 measured;
    0.32 when pictures were only resized)."""
    (x_train, t_train), (x_test, _) = load_mnist()
    model = MLP([784, 100, 10], seed=0)
    Trainer(model, Adam(lr=1e-3)).fit(x_train, t_train, epochs=2, seed=0, verbose=0)
    assert same_label_share(model, x_test, tmp_path) >= 0.95


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


@pytest.mark.parametrize("shape", [(28, 28), (1, 28, 28), (784,)])
def test_one_digit_in_any_layout_suits_mlps_and_cnns(tmp_path, shape):
    digit = np.random.default_rng(0).random(784).astype(np.float32)
    np.save(tmp_path / "one.npy", digit.reshape(shape))
    np.save(tmp_path / "batch.npy", np.stack([digit, digit]).reshape(2, *shape))
    for model, layout in ((MLP([784, 10]), (784,)), (SimpleConvNet((1, 28, 28)), (1, 28, 28))):
        one = read_npy(tmp_path / "one.npy", model.input_spec)
        np.testing.assert_array_equal(one, digit.reshape(1, *layout))
        assert read_npy(tmp_path / "batch.npy", model.input_spec).shape == (2, *layout)
        assert model.predict(one).shape == (1, 10)


def test_npy_arrays_that_do_not_fit_are_refused(tmp_path):
    np.save(tmp_path / "wrong.npy", np.zeros((4, 10)))
    with pytest.raises(ValueError, match=r"shape \(4, 10\); the model takes samples of 784 values"):
        read_npy(tmp_path / "wrong.npy", VECTORS_784)
    with pytest.raises(ValueError, match=r"shape \(4, 10\); the model takes samples of 1xanyxany values"):
        read_npy(tmp_path / "wrong.npy", GRAY_IMAGES)
    np.save(tmp_path / "nan.npy", np.full(784, np.nan, np.float32))
    with pytest.raises(ValueError, match=r"nan.npy must hold finite numbers, but .*nan.npy\[0\] is nan"):
        read_npy(tmp_path / "nan.npy", VECTORS_784)
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
    digit_stroke((28, 28), (4, 4, 24, 24)).save(tmp_path / "digit.png")
    samples, labels = read_samples(tmp_path / "digit.png", GRAY_IMAGES)
    assert samples.shape == (1, 1, 28, 28) and samples.dtype == np.float32 and labels == [str(tmp_path / "digit.png")]
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_samples(tmp_path / "missing.png", GRAY_IMAGES)
