"""Where a training step's time goes, part by part, against what the machine can do (one thread).

    python bench/profile_parts.py conv [--model simple|deep] [--batches 60]
    python bench/profile_parts.py planar [--iterations 2000]

``conv`` trains numnet's ``SimpleConvNet`` (SGD, lr 0.1) or ``DeepConvNet``
(Adam, lr 0.001) on MNIST batches of 100 and times every layer's forward and
backward pass, and inside each ``Conv2D`` its im2col (``_unfold``) and col2im
(``_fold``). Each part's work is counted (FLOPs of its matrix products, bytes
its element-wise operations must at least read and write) and turned into a
rate, next to the reference rate of the machine measured in the same run: the
same matrix products alone (``np.matmul`` on arrays of the same shapes, for
the convolutions' and dense layers' GEMMs) and the memory bandwidth of
copying an array of the convolution output's size. ``planar`` splits one
iteration of ``Trainer.fit`` on the course's planar network (2-4-1, full
batch of 400 points) into its parts and times the bare NumPy loop of the same
math (``numpy_loop.py``) alongside.

Times are CPU seconds of this thread (``time.thread_time``), not wall-clock
time: on a shared machine the wall clock also counts the time the process
waited for a core. The profile runs on one thread (BLAS included): NumPy's
element-wise operations use one thread whatever the BLAS does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402 - after the thread settings

import numnet.layers.conv as conv_module  # noqa: E402
from numnet.data import load_mnist, make_planar  # noqa: E402
from numnet.layers import Conv2D, Dense, MaxPool2D, ReLU  # noqa: E402
from numnet.models import DeepConvNet, Sequential, SimpleConvNet  # noqa: E402
from numnet.optimizers import SGD, Adam  # noqa: E402
from numnet.training import Trainer  # noqa: E402
from numnet_side import planar_network  # noqa: E402
from numpy_loop import NumpyLoop  # noqa: E402

clock = time.thread_time


class Timers:
    """Seconds accumulated under names, by wrapping callables, read from ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.thread_time) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Replace ``owner.attribute`` by a timed version (an instance attribute shadows the method)."""
        function = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = self.clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += self.clock() - started
                self.calls[name] += 1

        setattr(owner, attribute, timed)

    def clear(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def best_of(call: Callable[[], object], repeats: int = 7) -> float:
    """The least CPU seconds of ``repeats`` calls (after one warm-up)."""
    call()
    times = []
    for _ in range(repeats):
        started = clock()
        call()
        times.append(clock() - started)
    return min(times)


def gemm_seconds(a_shape: tuple[int, int], b_shape: tuple[int, int], transpose_b: bool = False) -> float:
    """CPU seconds of one float32 product of the given shapes, alone (``b`` given transposed if asked)."""
    rng = np.random.default_rng(0)
    a = rng.random(a_shape, dtype=np.float32)
    b = rng.random(b_shape[::-1], dtype=np.float32).T if transpose_b else rng.random(b_shape, dtype=np.float32)
    out = np.empty((a_shape[0], b_shape[1]), np.float32)
    return best_of(lambda: np.matmul(a, b, out=out))


def copy_bandwidth(elements: int) -> float:
    """Bytes per CPU second of copying a float32 array of ``elements`` (read + write counted)."""
    source = np.random.default_rng(0).random(elements, dtype=np.float32)
    target = np.empty_like(source)
    return 2 * source.nbytes / best_of(lambda: np.copyto(target, source))


# ------------------------------------------------------------------ conv


def conv_profile(model_name: str, batches: int) -> None:
    (x, t), _ = load_mnist(flatten=False)
    model: Sequential
    if model_name == "simple":
        model, optimizer = SimpleConvNet(seed=0), SGD(lr=0.1)
    else:
        model, optimizer = DeepConvNet(seed=0), Adam(lr=0.001)
    timers = Timers()
    names = {}
    for index, layer in enumerate(model.layers):
        names[index] = f"{index} {type(layer).__name__}"
        for method in ("forward", "backward", "backward_params"):
            timers.wrap(layer, method, f"{names[index]} {method.replace('_params', '')}")
    timers.wrap(optimizer, "update", "optimizer update")
    timers.wrap(conv_module, "_unfold", "im2col")
    timers.wrap(conv_module, "_fold", "col2im")

    def step(k: int) -> None:
        xb, tb = x[k * 100 : (k + 1) * 100], t[k * 100 : (k + 1) * 100]
        model.forward(xb, tb)
        model.backward()
        optimizer.update(model.params, model.grads)

    step(0)
    timers.clear()
    started = clock()
    for k in range(1, batches + 1):
        step(k)
    total = (clock() - started) / batches

    rows = conv_rows(model, timers, names, batches)
    print(f"numnet {type(model).__name__}, one training step of 100 MNIST images, one thread, CPU time")
    print(f"step total {total * 1e3:.2f} ms; GEMM reference 2048x2048 float32: {reference_gemm_rate():.1f} GFLOP/s\n")
    print("| part | ms per step | share | work | rate | same operation alone | fraction |")
    print("|---|--:|--:|---|--:|--:|--:|")
    for part, seconds, work, rate, reference, fraction in rows:
        print(f"| {part} | {seconds * 1e3:.2f} | {seconds / total:.0%} | {work} | {rate} | {reference} | {fraction} |")
    accounted = sum(r[1] for r in rows)
    print(
        f"| rest (loss, batch gathering, Sequential) | {(total - accounted) * 1e3:.2f} | "
        f"{(total - accounted) / total:.0%} | | | | |"
    )


def reference_gemm_rate() -> float:
    n = 2048
    return 2 * n**3 / gemm_seconds((n, n), (n, n)) / 1e9


def conv_rows(model: Sequential, timers: Timers, names: dict[int, str], batches: int) -> list[tuple]:
    """(part, seconds per step, work, rate, reference rate, fraction) for every timed part."""
    rows = []
    seconds = {name: value / batches for name, value in timers.seconds.items()}
    shapes = layer_shapes(model)
    bandwidth_cache: dict[int, float] = {}

    def bandwidth(elements: int) -> float:
        if elements not in bandwidth_cache:
            bandwidth_cache[elements] = copy_bandwidth(elements)
        return bandwidth_cache[elements]

    first_with_params = next(i for i, layer in enumerate(model.layers) if layer.params)
    for index, layer in enumerate(model.layers):
        name = names[index]
        x_shape, out_shape = shapes[index]
        x_elements, out_elements = int(np.prod(x_shape)), int(np.prod(out_shape))
        for direction in ("forward", "backward"):
            key = f"{name} {direction}"
            if key not in seconds:
                continue
            spent = seconds[key]
            if isinstance(layer, (Conv2D, Dense)):
                products = gemm_products(layer, x_shape, out_shape, direction, index == first_with_params)
                flops = sum(2 * m * k * n for (m, k), (_, n), _ in products)
                alone = sum(gemm_seconds(a, b, tb) for a, b, tb in products)
                rows.append(
                    (
                        f"{name} {direction}",
                        spent,
                        f"{flops / 1e6:.0f} MFLOP in {len(products)} GEMM",
                        f"{flops / spent / 1e9:.1f} GFLOP/s",
                        f"{flops / alone / 1e9:.1f} GFLOP/s",
                        f"{alone / spent:.0%}",
                    )
                )
            elif isinstance(layer, (ReLU, MaxPool2D)):
                moved = elementwise_bytes(layer, direction, x_elements, out_elements)
                reference = bandwidth(max(x_elements, out_elements))
                rows.append(
                    (
                        f"{name} {direction}",
                        spent,
                        f"{moved / 1e6:.1f} MB read + written",
                        f"{moved / spent / 1e9:.1f} GB/s",
                        f"{reference / 1e9:.1f} GB/s (copy)",
                        f"{moved / spent / reference:.0%}",
                    )
                )
            else:
                rows.append((f"{name} {direction}", spent, "", "", "", ""))
    if "im2col" in seconds:
        rows.append(("of which im2col (all convolutions)", 0.0, f"{seconds['im2col'] * 1e3:.2f} ms", "", "", ""))
    if "col2im" in seconds:
        rows.append(("of which col2im (all convolutions)", 0.0, f"{seconds['col2im'] * 1e3:.2f} ms", "", "", ""))
    rows.append(("optimizer update", seconds["optimizer update"], "", "", "", ""))
    return rows


def layer_shapes(model: Sequential) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Input and output shape of every layer for a batch of 100 MNIST images."""
    shapes = {}
    x = np.zeros((100, 1, 28, 28), np.float32)
    for index, layer in enumerate(model.layers):
        out = layer.forward(x, train=False)
        shapes[index] = (x.shape, out.shape)
        x = out
    return shapes


def gemm_products(
    layer: Conv2D | Dense, x_shape: tuple[int, ...], out_shape: tuple[int, ...], direction: str, first: bool
) -> list[tuple[tuple[int, int], tuple[int, int], bool]]:
    """The (A shape, B shape, B transposed) of the matrix products the layer computes in ``direction``."""
    if isinstance(layer, Conv2D):
        fn, k = layer.out_channels, layer.W[0].size
        m = int(np.prod(out_shape)) // fn
        if direction == "forward":
            return [((fn, k + 1), (k + 1, m), False)]
        products = [((k + 1, m), (m, fn), True)]  # [dW | db]^T = [col; ones] @ dout^T
        if not first:
            products.append(((k, fn), (fn, m), False))  # dcol = W^T @ dout
        return products
    n, (d_in, d_out) = x_shape[0], layer.W.shape
    if direction == "forward":
        return [((n, d_in), (d_in, d_out), False)]
    products = [((d_in, n), (n, d_out), False)]  # dW = x^T @ dout
    if not first:
        products.append(((d_in, d_out), (d_out, n), True))  # dx^T = W @ dout^T (or dout @ W^T: as many FLOPs)
    return products


def elementwise_bytes(layer: ReLU | MaxPool2D, direction: str, x_elements: int, out_elements: int) -> int:
    """The least bytes a float32 element-wise layer reads and writes in ``direction``.

    ReLU: the input (4 B) in and out and the mask (1 B) each way. MaxPool2D
    forward: the input in, the output and one boolean per output and window
    offset but the first out; backward: the gradient and those booleans in,
    the input gradient out.
    """
    if isinstance(layer, ReLU):
        return 9 * x_elements
    offsets = layer.pool_size[0] * layer.pool_size[1]
    if direction == "forward":
        return 4 * x_elements + (4 + offsets - 1) * out_elements
    return (4 + offsets - 1) * out_elements + 4 * x_elements


# ------------------------------------------------------------------ planar


def planar_profile(iterations: int) -> None:
    """Each part of an iteration called ``iterations`` times on its own, in CPU time per call.

    The parts take microseconds, so each is timed as a loop of calls (a timer
    around every call would cost as much as the call). Called alone they run
    on warm caches, so their sum is a little below the iteration they make up.
    """
    x, t = make_planar(400, seed=0)
    model = planar_network(0)
    trainer = Trainer(model, SGD(lr=1.2))
    loop = NumpyLoop(x, t, 1.2, iterations)

    bare_model = planar_network(0)
    bare_trainer = Trainer(bare_model, SGD(lr=1.2), metrics=[])
    prepared = model.check_data(x, t)

    def fit() -> None:
        trainer.fit(x, t, epochs=iterations, batch_size=None, shuffle=False, verbose=0)

    def fit_without_metrics() -> None:
        bare_trainer.fit(x, t, epochs=iterations, batch_size=None, shuffle=False, verbose=0)

    def model_and_optimizer() -> None:  # the calls fit makes per iteration, without the Trainer around them
        for _ in range(iterations):
            bare_model.forward(prepared, t, checked=True)
            bare_model.backward()
            bare_trainer.optimizer.update(bare_model.params, bare_model.grads, checked=True)

    contenders: dict[str, Callable[[], None]] = {
        "numnet Trainer.fit": fit,
        "Trainer.fit, metrics=[]": fit_without_metrics,
        "model.forward, backward, optimizer.update in a loop": model_and_optimizer,
        "bare NumPy loop": loop.run,
    }
    totals: dict[str, list[float]] = {name: [] for name in contenders}
    for call in contenders.values():
        call()
    for round_ in range(5):
        for name, call in list(contenders.items())[:: 1 if round_ % 2 else -1]:
            started = clock()
            call()
            totals[name].append((clock() - started) / iterations)
    whole_us = {name: min(values) * 1e6 for name, values in totals.items()}
    numnet_us, loop_us = whole_us["numnet Trainer.fit"], whole_us["bare NumPy loop"]

    x = model.check_data(x, t)
    inputs, douts = [], []
    h = x
    for layer in model.layers:
        inputs.append(h)
        h = layer.forward(h)
    loss = model.loss_fn
    loss.forward(h, t, checked=True)
    dout = loss.backward()
    for layer in reversed(model.layers):
        douts.append(dout)
        dout = layer.backward(dout)
    douts.reverse()
    parts: dict[str, Callable[[], object]] = {}
    for index, layer in enumerate(model.layers):
        parts[f"layer {index} {type(layer).__name__}.forward"] = lambda layer=layer, h=inputs[index]: layer.forward(h)
    parts[f"{type(loss).__name__}.forward"] = lambda: loss.forward(h, t, checked=True)
    parts[f"{type(loss).__name__}.backward"] = loss.backward
    for index, layer in reversed(list(enumerate(model.layers))):
        method = layer.backward if index else layer.backward_params
        parts[f"layer {index} {type(layer).__name__}.{method.__name__}"] = lambda m=method, d=douts[index]: m(d)
    model.forward(x, t, checked=True)
    trackers = trainer._trackers({})
    parts["Sequential.forward (layers and loss)"] = lambda: model.forward(x, t, checked=True)
    parts["Sequential.backward (loss and layers)"] = model.backward
    parts["SGD.update (checked=True, as fit calls it)"] = lambda: trainer.optimizer.update(
        model.params, model.grads, checked=True
    )
    parts["the Trainer's metric trackers (accuracy)"] = lambda: [tr.update(t, model.scores) for tr in trackers]
    per_call = {}
    for name, call in parts.items():
        per_call[name] = min(loop_seconds(call, iterations) for _ in range(3)) / iterations * 1e6
    top = ("Sequential.forward (layers and loss)", "Sequential.backward (loss and layers)")
    top += ("SGD.update (checked=True, as fit calls it)",)
    top += ("the Trainer's metric trackers (accuracy)",)
    rest = numnet_us - sum(per_call[name] for name in top)

    print(f"planar 2-4-1, 400 points, full batch, one thread, CPU time per iteration ({iterations} iterations)")
    print(f"numnet Trainer.fit {numnet_us:.1f} µs, bare NumPy loop {loop_us:.1f} µs: {numnet_us / loop_us:.2f}×\n")
    print("| whole iterations (interleaved, best of 5) | µs per iteration | ÷ bare loop |\n|---|--:|--:|")
    for name, value in whole_us.items():
        print(f"| {name} | {value:.1f} | {value / loop_us:.2f} |")
    print()
    print("| part (called alone) | µs per call |\n|---|--:|")
    for name, value in per_call.items():
        print(f"| {name} | {value:.1f} |")
    print(f"| Trainer.fit outside the four parts above (batches, history, epoch bookkeeping) | {rest:.1f} |")


def loop_seconds(call: Callable[[], object], calls: int) -> float:
    """CPU seconds of ``calls`` calls of ``call`` in a loop."""
    started = clock()
    for _ in range(calls):
        call()
    return clock() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("conv", "planar"))
    parser.add_argument("--model", choices=("simple", "deep"), default="simple", help="conv: the network")
    parser.add_argument("--batches", type=int, default=60, help="conv: timed training steps")
    parser.add_argument("--iterations", type=int, default=2000, help="planar: iterations per timed fit")
    args = parser.parse_args()
    if args.what == "conv":
        conv_profile(args.model, args.batches)
    else:
        planar_profile(args.iterations)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
