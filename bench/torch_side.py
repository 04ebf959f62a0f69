"""PyTorch (CPU) as a contender: the same networks, trained by the idiomatic minimal loop.

The data stays one tensor that shares the NumPy arrays' memory; each batch is
gathered by index from a fresh permutation (what a ``DataLoader`` with
``shuffle=True`` does, without its per-sample overhead, so the loop favours
PyTorch).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

VERSION = torch.__version__


def set_threads(threads: int) -> None:
    torch.set_num_threads(threads)


def mlp(sizes: Sequence[int], seed: int) -> nn.Module:
    """Linear -> ReLU -> ... -> Linear with PyTorch's default initialization."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def simple_convnet(seed: int) -> nn.Module:
    """numnet's SimpleConvNet in PyTorch: Conv 30@5x5 -> ReLU -> MaxPool 2 -> Linear 100 -> ReLU -> Linear 10."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 30, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
    )


def deep_convnet(seed: int) -> nn.Module:
    """numnet's DeepConvNet (the textbook's chapter 8) in PyTorch, He-initialized like numnet's.

    Conv 16, 16, pool, 32, 32 (padding 2), pool, 64, 64, pool (3x3, padding 1
    but for the fourth), Linear 1024 -> 50, ReLU, Dropout 0.5, Linear 50 -> 10,
    Dropout 0.5.
    """
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    channels = 1
    for index, (filters, padding) in enumerate(zip((16, 16, 32, 32, 64, 64), (1, 1, 1, 2, 1, 1))):
        layers += [nn.Conv2d(channels, filters, 3, padding=padding), nn.ReLU()]
        channels = filters
        if index % 2 == 1:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10), nn.Dropout(0.5)]
    net = nn.Sequential(*layers)
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            nn.init.zeros_(module.bias)
    return net


OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


def planar_network(seed: int) -> nn.Module:
    """The course's planar network: Linear 2 -> 4, Tanh, Linear 4 -> 1 (the sigmoid is in the loss)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))


class TorchFullBatch:
    """Full-batch SGD with ``binary_cross_entropy_with_logits``: ``iterations`` steps per call."""

    name = "PyTorch"

    def __init__(self, net: nn.Module, x: np.ndarray, t: np.ndarray, lr: float, iterations: int) -> None:
        self.net, self.iterations = net, iterations
        self.x = torch.from_numpy(x)
        self.t = torch.from_numpy(t.astype(x.dtype).reshape(-1, 1))
        self.optimizer = torch.optim.SGD(net.parameters(), lr=lr)

    def run(self) -> None:
        for _ in range(self.iterations):
            loss = nn.functional.binary_cross_entropy_with_logits(self.net(self.x), self.t)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()


class TorchTrainer:
    """``torch.optim.SGD`` (no momentum) or ``Adam`` with ``cross_entropy``, one shuffled epoch per call."""

    name = "PyTorch"

    def __init__(
        self,
        net: nn.Module,
        x: np.ndarray,
        t: np.ndarray,
        batch_size: int,
        lr: float,
        seed: int,
        optimizer: str = "sgd",
    ) -> None:
        self.net = net
        self.x, self.t = torch.from_numpy(x), torch.from_numpy(t)
        self.optimizer = OPTIMIZERS[optimizer](net.parameters(), lr=lr)
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(seed)

    def epoch(self) -> None:
        self.net.train()
        order = torch.randperm(len(self.x), generator=self.generator)
        for start in range(0, len(self.x), self.batch_size):
            index = order[start : start + self.batch_size]
            loss = nn.functional.cross_entropy(self.net(self.x[index]), self.t[index])
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores for all of ``x`` in one pass, under ``torch.inference_mode``."""
        self.net.eval()
        with torch.inference_mode():
            return self.net(torch.from_numpy(x)).numpy()

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> float:
        correct = sum(
            int(np.count_nonzero(np.argmax(self.predict(x[i : i + batch_size]), axis=1) == t[i : i + batch_size]))
            for i in range(0, len(x), batch_size)
        )
        return correct / len(x)
