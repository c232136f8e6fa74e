"""`python -m citels` is the `citels` command."""

from citels.cli import main

raise SystemExit(main())
