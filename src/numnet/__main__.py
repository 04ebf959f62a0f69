"""``python -m numnet``: the ``numnet`` command (see :mod:`numnet.cli`)."""

from numnet.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
