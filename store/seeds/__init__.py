"""Reading one seed file: TOML in, typed records and precise errors out.

Cross-file checks (duplicates across files, references to blueprints and
projects) happen when files are put together, in :mod:`store.plan`.

- :mod:`store.seeds.text`: the text rules (control characters, ids).
- :mod:`store.seeds.parsed`: what a file gives (records, references, errors).
- :mod:`store.seeds.validate`: the schema and the reader that checks it.
- :mod:`store.seeds.parse`: bytes to records.
- :mod:`store.seeds.files`: reading a file from disk safely.
"""

from store.seeds.files import MAX_SEED_BYTES, SeedUnreadable, parse_file, read_seed
from store.seeds.parse import parse_text
from store.seeds.parsed import ParsedFile, Reference, SeedError
from store.seeds.text import clean_text, is_id, slugify

__all__ = [
    "MAX_SEED_BYTES",
    "ParsedFile",
    "Reference",
    "SeedError",
    "SeedUnreadable",
    "clean_text",
    "is_id",
    "parse_file",
    "parse_text",
    "read_seed",
    "slugify",
]
