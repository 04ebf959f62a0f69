"""Picture files and ``.npy`` arrays as model inputs.

A picture (PNG, JPEG, ...; reading one needs Pillow, ``pip install 'numnet[images]'``)
is converted like the training images of the model: gray 28×28 white-on-black
digits for MNIST-like models (mostly light pictures are inverted), 64×64 RGB
for cat / non-cat models, scaled to [0, 1]. A ``.npy`` array holds one sample
or a batch in the layout the model takes, scaled like the training data
(``uint8`` arrays are pixels and are divided by 255).
"""

from __future__ import annotations

import math
import struct
import warnings
from dataclasses import dataclass
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike, NDArray

from numnet._checks import check_finite
from numnet.data.layout import to_model_layout, vectors_or_images

if TYPE_CHECKING:
    from PIL import Image

    from numnet.models import InputSpec

__all__ = [
    "ImageFormat",
    "IMAGE_FORMATS",
    "MAX_PICTURE_BYTES",
    "MAX_PICTURE_PIXELS",
    "image_format_for",
    "open_picture",
    "read_picture",
    "read_npy",
    "read_samples",
]

#: The largest picture file :func:`open_picture` reads.
MAX_PICTURE_BYTES = 2**26
#: The most pixels a picture may have (checked from its header, before it is decoded).
MAX_PICTURE_PIXELS = 2**25


@dataclass(frozen=True)
class ImageFormat:
    """How a picture file becomes one model input: its mode, size and polarity."""

    mode: str  # Pillow mode: "L" (gray) or "RGB"
    size: int  # width = height, in pixels
    invert_light: bool  # MNIST digits are white on black: invert pictures that are mostly light

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


#: The picture formats of the image datasets: MNIST-like digits and cat / non-cat photos.
IMAGE_FORMATS = (ImageFormat("L", 28, invert_light=True), ImageFormat("RGB", 64, invert_light=False))


def image_format_for(spec: InputSpec) -> ImageFormat:
    """The picture format (of :data:`IMAGE_FORMATS`) whose images a model with input ``spec`` takes.

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
            return image_format
    known = " or ".join(f.describe() for f in IMAGE_FORMATS)
    what = f"{size} input values" if kind == "vectors" else f"images of {size} channel(s)"
    raise ValueError(f"the model takes {what}, not {known} pictures")


def open_picture(path: str | PathLike[str]) -> Image.Image:
    """The picture at ``path``, decoded, within bounds whatever the file holds.

    The file is read whole (at most :data:`MAX_PICTURE_BYTES`) and decoded
    from memory, so that no length field in it can make Pillow allocate more
    than the file holds; its pixel count is checked from its header, before
    decoding (at most :data:`MAX_PICTURE_PIXELS`).

    Raises:
        ImportError: Pillow is not installed.
        ValueError: naming ``path``, for a file that is not a picture, a
            damaged or hostile one (whatever Pillow's decoders raise for
            it), or one above either limit.
    """
    try:
        from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install 'numnet[images]'") from None
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_PICTURE_BYTES:
        raise ValueError(f"cannot read the picture {path}: it has {size:,} bytes, more than {MAX_PICTURE_BYTES:,}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(path.read_bytes())) as opened:
                if opened.width * opened.height > MAX_PICTURE_PIXELS:
                    raise ValueError(f"it has {opened.width}x{opened.height} pixels, more than {MAX_PICTURE_PIXELS:,}")
                opened.load()
                return opened
    except UnidentifiedImageError:
        raise ValueError(f"{path} is neither a picture (PNG, JPEG, ...) nor a .npy array") from None
    # Pillow's decoders raise any of these for a damaged file (SyntaxError and struct.error included)
    except (
        OSError,
        ValueError,
        TypeError,
        SyntaxError,
        struct.error,
        IndexError,
        KeyError,
        EOFError,
        ZeroDivisionError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"cannot read the picture {path}: {message}") from None


def read_picture(path: str | PathLike[str], image_format: ImageFormat) -> NDArray[np.float32]:
    """A picture converted like the training images: mode, size, polarity, scaled to [0, 1].

    Transparent pictures are put on white first. Returns the natural layout
    ``image_format.shape``: (H, W) gray or (H, W, 3) RGB, float32.

    Raises:
        ImportError: Pillow is not installed.
        ValueError: as :func:`open_picture`.
    """
    picture = open_picture(path)
    from PIL import Image  # noqa: PLC0415 - optional dependency, present once open_picture succeeded

    if "A" in picture.getbands() or (picture.mode == "P" and "transparency" in picture.info):
        background = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    picture = picture.convert(image_format.mode)
    if picture.size != (image_format.size, image_format.size):
        picture = picture.resize((image_format.size, image_format.size), Image.Resampling.LANCZOS)
    pixels = np.asarray(picture, dtype=np.float32)
    if image_format.invert_light and pixels.mean() > 127:
        pixels = 255 - pixels
    return np.divide(pixels, 255, dtype=np.float32)


def read_npy(path: str | PathLike[str], spec: InputSpec, dtype: DTypeLike = np.float32) -> NDArray:
    """One sample or a batch from a ``.npy`` array, as a batch in the layout of ``spec``, in ``dtype``.

    Vector models take one sample (D,) (or any shape of D values) or a batch
    (N, D); image models one image (C, H, W) or a batch (N, C, H, W).
    ``uint8`` arrays are pixels and are divided by 255.

    Raises:
        ValueError: the file is not a numeric ``.npy`` array (or holds more data than the file has), holds a
            NaN or infinite value, or its shape does not fit.
    """
    path = Path(path)
    try:  # memory-mapped: a header declaring more data than the file holds is refused without allocating it
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"cannot read {path} as a .npy array ({error})") from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path} is a .npz archive, not a .npy array")
    if array.dtype.kind not in "uif" or array.ndim == 0:
        raise ValueError(f"{path} must hold a numeric array of samples, got dtype {array.dtype}, shape {array.shape}")
    check_finite(str(path), array)
    array = np.divide(array, 255, dtype=dtype) if array.dtype == np.uint8 else array.astype(dtype)
    kind, size = vectors_or_images(spec)
    if kind == "vectors":
        if array.size == size:
            return array.reshape(1, size)
        if array.ndim >= 2 and math.prod(array.shape[1:]) == size:
            return array.reshape(len(array), size)
        raise ValueError(
            f"{path} holds an array of shape {array.shape}; the model takes samples of {size} "
            f"values: one sample ({size},) or a batch (N, {size})"
        )
    if array.ndim == 3 and array.shape[0] == size:
        return array[np.newaxis]
    if array.ndim == 4 and array.shape[1] == size:
        return array
    raise ValueError(
        f"{path} holds an array of shape {array.shape}; the model takes images of {size} "
        "channel(s): one image (C, H, W) or a batch (N, C, H, W)"
    )


def read_samples(
    path: str | PathLike[str], spec: InputSpec, dtype: DTypeLike = np.float32
) -> tuple[NDArray, list[str]]:
    """The samples in a picture or ``.npy`` file as a batch for a model, and a label for each.

    A label is the file's name, with ``[i]`` appended for the samples of a batch.

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
    image = read_picture(path, image_format_for(spec))
    return to_model_layout(image[np.newaxis], spec, str(path)).astype(dtype, copy=False), [str(path)]
