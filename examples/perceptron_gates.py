"""Truth tables of the perceptron gates AND, NAND, OR and the two-layer XOR.

Run:  python examples/perceptron_gates.py
"""

from __future__ import annotations

import argparse

from numnet.perceptron import AND, NAND, OR, XOR


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    for gate in (AND, NAND, OR, XOR):
        print(f"{gate.__name__}")
        print("  x1 x2 | y")
        for x1 in (0, 1):
            for x2 in (0, 1):
                print(f"   {x1}  {x2} | {gate(x1, x2)}")
        print()


if __name__ == "__main__":
    main()
