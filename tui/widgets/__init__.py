"""Bars around the panes: the cycle line, the filter line and the status line."""
