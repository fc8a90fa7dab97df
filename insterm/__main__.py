"""`python -m insterm` runs the same entry point as the `insterm` command."""

from insterm.cli import main

raise SystemExit(main())
