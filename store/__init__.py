"""cycleboard's data layer: model, seed parsing, the TinyDB store and queries.

Nothing here imports Textual; the command line's non-dashboard commands and
the dashboard both build on it.
"""

__version__ = "0.1.0"
