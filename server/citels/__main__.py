"""`python -m citels` is the `citels` command."""

from citels.cli import main

if __name__ == "__main__":  # not when a helper process imports this module again
    raise SystemExit(main())
