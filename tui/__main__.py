"""``python -m tui`` runs the same command line as ``cycleboard``."""

import os
import sys

# ``python -m`` puts the working folder first on the import path. Run inside a
# plan's repository, that folder's own ``store/`` (a store committed with the
# plan, say) would stand in for cycleboard's store package, and run any
# ``__init__.py`` it holds. The console script has no such entry; neither
# does this, unless the working folder is where cycleboard itself lives.
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) != _OURS:
    del sys.path[0]

from tui.cli import main  # noqa: E402 - only once the path is ours

raise SystemExit(main())
