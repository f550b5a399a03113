"""The plan cache: the seeds, parsed, one entry per source file, and a snapshot of the plan.

- :mod:`store.cache.plan_cache`: refreshing, patching and writing the cache.
- :mod:`store.cache.entries`: one entry per seed file, and when its stat can be trusted.
- :mod:`store.cache.parallel`: parsing many files at once.
"""

from store.cache.plan_cache import PlanCache, RefreshStats, SeedsFolderMissing

__all__ = ["PlanCache", "RefreshStats", "SeedsFolderMissing"]
