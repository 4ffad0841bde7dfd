"""One parser per document layout: each exposes ``parse(text, doc) -> list[Entry]``."""
