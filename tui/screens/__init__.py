"""Screens pushed over the dashboard: details, pickers and help."""
