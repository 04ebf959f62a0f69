"""Picture files and ``.npy`` arrays as model inputs.

A picture (PNG, JPEG, ...; reading one needs Pillow, ``pip install 'numnet[images]'``)
is converted the way the model's training images were made. For MNIST-like
digit models (:data:`DIGITS`) that is the MNIST recipe (:func:`mnist_digit`):

1. grey levels in [0, 1], scaled by the picture's own bit depth (1, 8 or 16
   bits; palette and colour pictures by their luma; transparent pictures are
   put on white first);
2. inverted when the background (the median of the border) is light, since
   MNIST digits are white on black; the background becomes 0 and the
   strongest ink 1;
3. cropped to the bounding box of the ink;
4. scaled to fit a 20×20 box, keeping the aspect ratio (anti-aliased);
5. placed in the 28×28 field so that its centre of mass is at the centre.

Fashion-MNIST models (:data:`CLOTHES`) get the same first three steps, then
the picture fills the 28×28 field and is centred by its box, as Zalando made
theirs. Cat / non-cat models (:data:`PHOTOS`) get the whole picture as 64×64
RGB. A picture that has no ink, or more than :data:`MAX_PICTURE_PIXELS`
pixels (checked from its header, before it is decoded), is refused with one
:class:`ValueError`; Pillow's warnings are turned into that error too.

A ``.npy`` array holds one sample or a batch, scaled like the training data
(``uint8`` arrays are pixels and are divided by 255), in any layout that
holds a sample's values: an image model of 1×28×28 takes (28, 28),
(1, 28, 28), (784,) or batches of them, and so does an MLP of 784 inputs.
"""

from __future__ import annotations

import math
import struct
import warnings
from dataclasses import dataclass
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._atomic import atomic_write
from numnet._checks import check_finite
from numnet.data.layout import to_model_layout, vectors_or_images

if TYPE_CHECKING:
    from numnet.models import InputSpec

__all__ = [
    "MAX_PICTURE_BYTES",
    "MAX_PICTURE_PIXELS",
    "ImageFormat",
    "DIGITS",
    "CLOTHES",
    "PHOTOS",
    "IMAGE_FORMATS",
    "image_format_for",
    "open_picture",
    "read_picture",
    "read_gray",
    "mnist_digit",
    "read_npy",
    "read_samples",
    "samples_as_pictures",
    "save_picture",
]

#: The largest picture file :func:`open_picture` reads.
MAX_PICTURE_BYTES = 2**26
#: The most pixels a picture may have; checked from its header, before its pixels are decoded.
MAX_PICTURE_PIXELS = 2**25
#: A picture whose ink differs from its background by less than this (in [0, 1]) is blank.
MIN_CONTRAST = 0.1
#: Pixels at least this strong (after the background is 0 and the strongest ink 1) bound the ink's box.
INK_THRESHOLD = 0.1
#: Luma weights (ITU-R 601, as Pillow's ``convert("L")``) of red, green and blue.
LUMA = (0.299, 0.587, 0.114)


@dataclass(frozen=True)
class ImageFormat:
    """How a picture file becomes one model input.

    Attributes:
        mode: ``"L"`` (gray) or ``"RGB"``.
        size: width = height of the model's images, in pixels.
        invert_light: the training images are light on dark: invert pictures with a light background.
        fit: crop gray pictures to their ink and scale it to fit ``fit``×``fit``
            (20 for MNIST digits); None keeps the whole picture.
        centre: where the fitted ink goes: ``"mass"`` (its centre of mass at
            the field's centre, as MNIST) or ``"box"`` (its box centred).
    """

    mode: str
    size: int
    invert_light: bool
    fit: int | None = None
    centre: str = "mass"

    @property
    def shape(self) -> tuple[int, ...]:
        """The natural layout of one image: (h, w) gray or (h, w, 3) RGB."""
        return (self.size, self.size) if self.mode == "L" else (self.size, self.size, 3)

    @property
    def channels(self) -> int:
        return 1 if self.mode == "L" else 3

    def describe(self) -> str:
        """E.g. ``"28x28 gray"``."""
        return f"{self.size}x{self.size} {'gray' if self.mode == 'L' else self.mode}"


#: MNIST digits: white on black, the ink fitted into 20×20 and centred by its mass in 28×28.
DIGITS = ImageFormat("L", 28, invert_light=True, fit=20, centre="mass")
#: Fashion-MNIST clothes: light on dark, the picture fitted into 28×28 and centred by its box.
CLOTHES = ImageFormat("L", 28, invert_light=True, fit=28, centre="box")
#: The cat / non-cat photos: the whole picture as 64×64 RGB.
PHOTOS = ImageFormat("RGB", 64, invert_light=False)
#: The picture formats a model is matched against by its input (Fashion-MNIST goes by the dataset's name).
IMAGE_FORMATS = (DIGITS, PHOTOS)
_BY_DATASET = {"fashion-mnist": CLOTHES}


def image_format_for(spec: InputSpec, dataset: str | None = None) -> ImageFormat:
    """The picture format whose images a model with input ``spec`` takes.

    Args:
        spec: the model's input.
        dataset: the dataset it was trained on, if known: a Fashion-MNIST
            model takes :data:`CLOTHES`, not :data:`DIGITS`.

    Raises:
        ValueError: the model takes no such pictures.
    """
    kind, size = vectors_or_images(spec)
    for image_format in IMAGE_FORMATS:
        if kind == "vectors":
            fits = size == math.prod(image_format.shape)
        else:
            assert spec.shape is not None
            fits = size == image_format.channels and all(s in (None, image_format.size) for s in spec.shape[1:])
        if fits:
            special = _BY_DATASET.get(dataset or "")
            return special if special is not None and special.shape == image_format.shape else image_format
    known = " or ".join(f.describe() for f in IMAGE_FORMATS)
    what = f"{size} input values" if kind == "vectors" else f"images of {size} channel(s)"
    raise ValueError(f"the model takes {what}, not {known} pictures")


# ------------------------------------------------------------------ decoding


def _pillow() -> Any:
    try:
        from PIL import Image  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install 'numnet[images]'") from None
    return Image


def open_picture(path: str | PathLike[str]) -> Any:
    """The Pillow picture at ``path``, decoded, within bounds whatever the file holds.

    The file is read whole (at most :data:`MAX_PICTURE_BYTES`) and decoded
    from memory, so that no length field in it can make Pillow allocate more
    than the file holds; its pixel count is checked from its header, before
    decoding (at most :data:`MAX_PICTURE_PIXELS`).

    Raises:
        ImportError: Pillow is not installed.
        ValueError: naming ``path``, for a file that is not a picture, a
            damaged or hostile one (whatever Pillow's decoders raise or warn
            for it), or one above either limit.
    """
    Image = _pillow()
    from PIL import UnidentifiedImageError  # noqa: PLC0415 - optional dependency

    path = Path(path)
    size = path.stat().st_size
    if size > MAX_PICTURE_BYTES:
        raise ValueError(f"cannot read the picture {path}: it has {size:,} bytes, more than {MAX_PICTURE_BYTES:,}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning (decompression bomb, damaged data) is the error below
            warnings.simplefilter("ignore", DeprecationWarning)  # Pillow's own API changes are not the picture's
            with Image.open(BytesIO(path.read_bytes())) as picture:
                width, height = picture.size
                if width * height > MAX_PICTURE_PIXELS:
                    raise _TooLarge(f"it has {width}x{height} pixels, more than {MAX_PICTURE_PIXELS:,}")
                picture.load()
                return picture
    except _TooLarge as error:
        raise ValueError(f"cannot read the picture {path}: {error}") from None
    except UnidentifiedImageError:
        raise ValueError(f"{path} is neither a picture (PNG, JPEG, ...) nor a .npy array") from None
    # Pillow's decoders raise any of these for a damaged file (SyntaxError and struct.error included)
    except (
        Image.DecompressionBombError,
        Warning,
        OSError,
        ValueError,
        TypeError,
        SyntaxError,
        struct.error,
        IndexError,
        KeyError,
        EOFError,
        ZeroDivisionError,
        MemoryError,
    ) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"cannot read the picture {path}: {message}") from None


class _TooLarge(Exception):
    """A picture over the pixel limit (kept apart from Pillow's own ValueErrors)."""


def read_gray(path: str | PathLike[str], mode: str = "L") -> NDArray[np.float64]:
    """A picture's pixels in [0, 1], scaled by its own bit depth: (H, W) for ``mode="L"``, (H, W, 3) for ``"RGB"``.

    1-bit pictures give 0 and 1, 8-bit ones v / 255, 16-bit ones v / 65535;
    palette pictures go by their palette, colour pictures become gray by
    their luma, and transparent pictures are put on white.

    Raises:
        ImportError: Pillow is not installed.
        ValueError: as :func:`open_picture`.
    """
    return _unit_pixels(open_picture(path), mode)


def _unit_pixels(picture: Any, mode: str) -> NDArray[np.float64]:
    """An open Pillow picture as floats in [0, 1], gray (H, W) or RGB (H, W, 3)."""
    depth = _one_band_depth(picture)
    if depth is not None:  # one band of 1, 16 or 32 bits, or floats
        values = np.asarray(picture, dtype=np.float64)
        gray = np.clip(values if depth == 0 else values / (2.0**depth - 1), 0.0, 1.0)
        return gray if mode == "L" else np.repeat(gray[..., np.newaxis], 3, axis=2)
    has_alpha = "A" in picture.getbands() or (picture.mode == "P" and "transparency" in picture.info)
    if has_alpha:
        rgba = np.asarray(picture.convert("RGBA"), dtype=np.float64) / 255
        alpha = rgba[..., 3:]
        rgb = rgba[..., :3] * alpha + (1.0 - alpha)  # on white
    elif mode == "L" and picture.mode == "L":
        return np.asarray(picture, dtype=np.float64) / 255
    else:
        rgb = np.asarray(picture.convert("RGB"), dtype=np.float64) / 255
    return rgb @ np.array(LUMA) if mode == "L" else rgb


def _one_band_depth(picture: Any) -> int | None:
    """Bits per pixel of a one-band picture of 1, 16 or 32 bits (0 for floats); None for 8-bit and colour."""
    if picture.mode == "1":
        return 1
    if picture.mode.startswith("I;16"):
        return 16
    if picture.mode == "I":  # 32-bit integers; older Pillow opens 16-bit PNGs so
        return 16 if picture.format == "PNG" else 32
    if picture.mode == "F":
        return 0
    return None


# ------------------------------------------------------------------ digits


def mnist_digit(
    gray: ArrayLike, fit: int = 20, size: int = 28, centre: str = "mass", source: str = "the picture"
) -> NDArray[np.float32]:
    """A gray picture (H, W) in [0, 1] made into an MNIST digit: (size, size) float32, white ink on black.

    The steps of the MNIST recipe: invert when the background (the median of
    the border) is light; stretch so that the background is 0 and the
    strongest ink 1; crop to the ink's bounding box; scale it to fit
    ``fit``×``fit`` keeping its aspect ratio; place it in the ``size``×``size``
    field with its centre of mass (``centre="mass"``) or its box
    (``centre="box"``) at the centre.

    Raises:
        ValueError: ``gray`` is not (H, W), or it is blank (its ink differs
            from the background by less than :data:`MIN_CONTRAST`); the
            message names ``source``.
    """
    pixels = np.asarray(gray, dtype=np.float64)
    if pixels.ndim != 2 or pixels.size == 0:
        raise ValueError(f"{source} must be a gray picture (H, W), got shape {pixels.shape}")
    if centre not in ("mass", "box"):
        raise ValueError(f"centre must be 'mass' or 'box', got {centre!r}")
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        pixels, background = 1.0 - pixels, 1.0 - background
    ink = pixels - background
    strongest = float(ink.max())
    if not strongest >= MIN_CONTRAST:
        raise ValueError(
            f"{source} is blank: nothing in it differs from its background by {MIN_CONTRAST:.0%} of the gray scale"
        )
    ink = np.clip(ink / strongest, 0.0, 1.0)
    rows = np.flatnonzero((ink >= INK_THRESHOLD).any(axis=1))
    columns = np.flatnonzero((ink >= INK_THRESHOLD).any(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    scale = fit / max(ink.shape)
    fitted = _resized(ink, max(1, round(ink.shape[0] * scale)), max(1, round(ink.shape[1] * scale)))
    return _placed(fitted, size, centre)


def _resized(image: NDArray[np.float64], height: int, width: int) -> NDArray[np.float64]:
    """``image`` (H, W) resampled to (height, width) with Lanczos filtering (anti-aliased), clipped to [0, 1]."""
    if image.shape == (height, width):
        return image
    Image = _pillow()
    resized = Image.fromarray(image.astype(np.float32)).resize((width, height), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float64), 0.0, 1.0)


def _placed(image: NDArray[np.float64], size: int, centre: str) -> NDArray[np.float32]:
    """``image`` put into a ``size``×``size`` black field, its centre of mass (or box) at the centre."""
    height, width = image.shape
    if centre == "mass":
        total = image.sum()
        rows, columns = np.indices(image.shape)
        top = round(size / 2 - float((rows * image).sum() / total))
        left = round(size / 2 - float((columns * image).sum() / total))
    else:
        top, left = (size - height) // 2, (size - width) // 2
    field = np.zeros((size, size), dtype=np.float32)
    # the part of the image that lands inside the field (a lopsided digit may lose a sliver, as in MNIST)
    r0, c0 = max(0, -top), max(0, -left)
    r1, c1 = min(height, size - top), min(width, size - left)
    field[top + r0 : top + r1, left + c0 : left + c1] = image[r0:r1, c0:c1]
    return field


# ------------------------------------------------------------------ pictures


def read_picture(path: str | PathLike[str], image_format: ImageFormat) -> NDArray[np.float32]:
    """A picture converted like the training images of ``image_format``, in [0, 1].

    Digits and clothes go through :func:`mnist_digit`; photos are resized
    whole. Returns the natural layout ``image_format.shape``: (H, W) gray or
    (H, W, 3) RGB, float32.

    Raises:
        ImportError: Pillow is not installed.
        ValueError: as :func:`read_gray`, or the picture is blank.
    """
    pixels = read_gray(path, image_format.mode)
    if image_format.fit is not None:
        return mnist_digit(pixels, image_format.fit, image_format.size, image_format.centre, source=str(path))
    size = image_format.size
    if image_format.mode == "L":
        image = _resized(pixels, size, size)
        if image_format.invert_light and float(np.median(image)) > 0.5:
            image = 1.0 - image
    else:
        image = np.stack([_resized(pixels[..., c], size, size) for c in range(3)], axis=2)
    return image.astype(np.float32)


def read_npy(path: str | PathLike[str], spec: InputSpec, dtype: DTypeLike = np.float32) -> NDArray:
    """One sample or a batch from a ``.npy`` array, as a batch in the layout of ``spec``, in ``dtype``.

    A sample may come in any layout that holds its values: a model of
    D = 784 inputs, or of 1×28×28 images, takes (28, 28), (1, 28, 28) or
    (784,), and batches (N, ...) of them. ``uint8`` arrays are pixels and are
    divided by 255.

    Raises:
        ValueError: the file is not a numeric ``.npy`` array, holds
            non-finite values, or its shape does not fit.
    """
    path = Path(path)
    try:  # memory-mapped: a header declaring more data than the file holds is refused without allocating it
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"cannot read {path} as a .npy array ({error})") from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path} is a .npz archive, not a .npy array")
    if array.dtype.kind not in "buif" or array.ndim == 0:
        raise ValueError(f"{path} must hold a numeric array of samples, got dtype {array.dtype}, shape {array.shape}")
    array = np.divide(array, 255, dtype=dtype) if array.dtype == np.uint8 else array.astype(dtype)
    check_finite(str(path), array)  # after the cast: float64 values beyond float32's range are infinite too
    kind, size = vectors_or_images(spec)
    assert spec.shape is not None
    sample_shape = (size,) if kind == "vectors" else spec.shape
    values = None if None in sample_shape else math.prod(s for s in sample_shape if s is not None)
    if values is not None and array.size == values:
        return array.reshape(1, *sample_shape)
    if values is not None and array.ndim >= 2 and math.prod(array.shape[1:]) == values:
        return array.reshape(len(array), *sample_shape)
    if kind == "images" and array.ndim == 3 and array.shape[0] == size:
        return array[np.newaxis]
    if kind == "images" and array.ndim == 4 and array.shape[1] == size:
        return array
    what = "x".join("any" if s is None else str(s) for s in sample_shape)
    raise ValueError(
        f"{path} holds an array of shape {array.shape}; the model takes samples of {what} values: "
        "one sample or a batch (N, ...) of them"
    )


def read_samples(
    path: str | PathLike[str], spec: InputSpec, dtype: DTypeLike = np.float32, dataset: str | None = None
) -> tuple[NDArray, list[str]]:
    """The samples in a picture or ``.npy`` file as a batch for a model, and a label for each.

    A label is the file's name, with ``[i]`` appended for the samples of a
    batch. ``dataset`` (the model's, if known) picks the picture format (see
    :func:`image_format_for`).

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ImportError, ValueError: as :func:`read_picture` and :func:`read_npy`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"input file {str(path)!r} does not exist")
    if path.suffix.lower() == ".npy":
        samples = read_npy(path, spec, dtype)
        labels = [str(path)] if len(samples) == 1 else [f"{path}[{i}]" for i in range(len(samples))]
        return samples, labels
    image = read_picture(path, image_format_for(spec, dataset))
    return to_model_layout(image[np.newaxis], spec, str(path)).astype(dtype, copy=False), [str(path)]


def samples_as_pictures(samples: ArrayLike, image_format: ImageFormat) -> NDArray[np.uint8]:
    """Model inputs (N, ...) in [0, 1] as 8-bit pictures (N, H, W) or (N, H, W, 3): what the network saw."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 4 and x.shape[1] == image_format.channels:  # (N, C, H, W) -> channels last
        x = x.transpose(0, 2, 3, 1)
    pictures = x.reshape(len(x), *image_format.shape)
    return np.round(np.clip(pictures, 0.0, 1.0) * 255).astype(np.uint8)


def save_picture(pixels: ArrayLike, path: str | PathLike[str]) -> Path:
    """Write 8-bit pixels (H, W) or (H, W, 3) as a picture file, atomically; the format follows the suffix (PNG
    when there is none). Returns the path written."""
    Image = _pillow()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    file_format = {"": "PNG", "JPG": "JPEG"}.get(path.suffix[1:].upper(), path.suffix[1:].upper())
    with atomic_write(path) as file:
        Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(file, format=file_format)
    return path
