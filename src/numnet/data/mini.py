"""mnist-mini: a small class-balanced MNIST subset bundled with numnet.

6,000 training images (600 per digit) and 1,000 test images (100 per digit),
taken from MNIST by ``scripts/make_mnist_mini.py`` and stored in
``mnist_mini.npz`` (uint8 arrays ``x_train (6000, 28, 28)``, ``t_train``,
``x_test (1000, 28, 28)``, ``t_test``). It needs no download, so examples and
tests run anywhere.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from numpy.typing import DTypeLike, NDArray

from numnet.data.mnist import check_float_dtype, format_split

__all__ = ["MNIST_MINI_FILE", "load_mnist_mini"]

#: The bundled file, inside the ``numnet.data`` package.
MNIST_MINI_FILE = "mnist_mini.npz"


def load_mnist_mini(
    normalize: bool = True,
    flatten: bool = True,
    one_hot: bool = False,
    dtype: DTypeLike = "float32",
) -> tuple[tuple[NDArray, NDArray], tuple[NDArray, NDArray]]:
    """Load the bundled mnist-mini: ``(x_train, t_train), (x_test, t_test)``.

    Shapes and dtypes follow :func:`numnet.data.load_mnist` with 6,000
    training and 1,000 test samples.
    """
    float_dtype = check_float_dtype(dtype)
    resource = resources.files(__package__).joinpath(MNIST_MINI_FILE)
    with resource.open("rb") as file, np.load(file, allow_pickle=False) as arrays:
        train = (arrays["x_train"], arrays["t_train"])
        test = (arrays["x_test"], arrays["t_test"])
    return (
        format_split(train, normalize, flatten, one_hot, float_dtype),
        format_split(test, normalize, flatten, one_hot, float_dtype),
    )
