"""The benchmark: a generated plan the size of all of OpenStack's history, and timings on it."""
