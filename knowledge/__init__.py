"""Knowledge base: source documents, their parsers, the entry model and the loader."""
