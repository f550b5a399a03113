"""cycleboard's user interface: the command line and the Textual dashboard.

Importing this package must stay cheap: the command line's non-dashboard
commands never import Textual.
"""

import os

# Textual paints on a fixed grid of frames (60 a second unless told). A key
# whose effect misses a frame waits for the next slot, which after the filter
# line's own repaint can be two slots away: at 120 the wait halves. It costs
# nothing while idle, and a TEXTUAL_FPS the user set still wins. Textual reads
# it once, when first imported, so it is set here, before any of tui imports it.
os.environ.setdefault("TEXTUAL_FPS", "120")
