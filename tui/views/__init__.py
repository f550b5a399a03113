"""The planning views beside the overview: timeline (2), burn-up (3) and runways (4)."""
