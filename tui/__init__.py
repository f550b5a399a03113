"""cycleboard's user interface: the command line and the Textual dashboard.

Importing this package must stay cheap: the command line's non-dashboard
commands never import Textual.
"""
