"""Dot-product attention, as in "Deep Learning from Scratch 2", chapter 8."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.layers.base import Layer, check_dout

__all__ = ["TimeAttention"]


class TimeAttention(Layer):
    """Each decoder state attends over the encoder states: (hs_enc, hs_dec) -> contexts.

    For decoder state h_t (one row of ``hs_dec``) and encoder states
    hs_enc (T_enc, H): scores s = hs_enc h_t (dot products, no weights),
    attention weights a = softmax(s) over the T_enc positions, and context
    c_t = sum_j a_j hs_enc[j], the weighted sum of the encoder states. The
    book computes this step by step with its AttentionWeight and WeightSum
    layers; here all T_dec steps are batched matrix products.

    ``forward(hs_enc, hs_dec)``: hs_enc (N, T_enc, H), hs_dec (N, T_dec, H)
    -> contexts (N, T_dec, H). ``backward(dcontexts)`` -> (dhs_enc, dhs_dec).
    After ``forward``, ``attention_weights`` (N, T_dec, T_enc) holds a (each
    row sums to 1): the attention map. No parameters.
    """

    def __init__(self) -> None:
        super().__init__()
        self.attention_weights: NDArray | None = None
        self._cache: tuple[NDArray, NDArray, NDArray] | None = None

    def forward(self, hs_enc: ArrayLike, hs_dec: ArrayLike, train: bool = True) -> NDArray:  # type: ignore[override]
        hs_enc, hs_dec = np.asarray(hs_enc), np.asarray(hs_dec)
        if hs_enc.ndim != 3 or hs_dec.ndim != 3 or hs_enc.shape[::2] != hs_dec.shape[::2]:
            raise ValueError(
                f"{self!r}: hs_enc and hs_dec must have shapes (N, T_enc, H) and (N, T_dec, H) with one N and H, "
                f"got {hs_enc.shape} and {hs_dec.shape}"
            )
        if hs_enc.dtype.kind != "f" or hs_dec.dtype != hs_enc.dtype:
            raise TypeError(f"{self!r}: hs_enc and hs_dec must be float arrays of one dtype")
        scores = hs_dec @ hs_enc.transpose(0, 2, 1)  # (N, T_dec, T_enc)
        scores -= scores.max(axis=2, keepdims=True)
        weights = np.exp(scores, out=scores)
        weights /= weights.sum(axis=2, keepdims=True)
        self.attention_weights = weights
        self._cache = (hs_enc, hs_dec, weights)
        return weights @ hs_enc

    def backward(self, dout: ArrayLike) -> tuple[NDArray, NDArray]:  # type: ignore[override]
        """dcontexts (N, T_dec, H) -> (dhs_enc (N, T_enc, H), dhs_dec (N, T_dec, H))."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        hs_enc, hs_dec, weights = self._cache
        dout = check_dout(self, dout, hs_dec)
        dweights = dout @ hs_enc.transpose(0, 2, 1)
        # softmax backward: ds = a * (da - sum_j a_j da_j)
        dscores = weights * (dweights - np.sum(weights * dweights, axis=2, keepdims=True))
        dhs_enc = weights.transpose(0, 2, 1) @ dout + dscores.transpose(0, 2, 1) @ hs_dec
        dhs_dec = dscores @ hs_enc
        return dhs_enc, dhs_dec
