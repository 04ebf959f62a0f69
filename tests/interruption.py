"""Simulating Ctrl-C at a chosen training step, for the resume tests."""

from __future__ import annotations

from numnet.training import Trainer


def interrupt_after(trainer: Trainer, steps: int) -> None:
    """Make Ctrl-C arrive during the training step number ``steps`` (from 1) of ``trainer``'s model."""
    forward, count = trainer.model.forward, []

    def forward_then_interrupt(x, t, train=True, **kwargs):
        if train:
            count.append(1)
            if len(count) == steps:
                trainer._interrupt_requested = True  # what the SIGINT handler of Trainer.fit does
        return forward(x, t, train=train, **kwargs)

    trainer.model.forward = forward_then_interrupt
