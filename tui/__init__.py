"""cycleboard's user interface: the command line and the Textual dashboard.

Importing this package must stay cheap: the command line's non-dashboard
commands never import Textual.
"""

import os

# Textual paints on a fixed grid of frame slots (60 a second unless told), and a
# change waits for the next slot. A filter keystroke makes two changes (the
# line's own text, then the panes a few milliseconds later), so the panes waited
# up to a whole slot after their work was done. With a slot every millisecond a
# frame is painted as soon as there is something to paint. That is not more
# frames: frames follow changes, idle costs nothing, and Textual's animations keep
# their own 60 a second (what it gains a keystroke: docs/performance.md).
# Textual reads this once, when first imported, so it is
# set here, before any of tui imports it; a TEXTUAL_FPS the user set still wins.
os.environ.setdefault("TEXTUAL_FPS", "1000")
