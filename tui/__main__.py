"""``python -m tui`` runs the same command line as ``cycleboard``."""

from tui.cli import main

raise SystemExit(main())
