"""Errors a user can act on. The CLI and the UI print their message as one line."""


class RagError(Exception):
    """Base class: the message says what went wrong and what to do."""


class DocumentError(RagError):
    """A document cannot be read (empty, binary, unknown encoding, needs OCR)."""


class IndexMissingError(RagError):
    """No index exists yet for the configured embedder."""


class StoreUnavailable(RagError):
    """The index exists or should, but cannot be opened: permission, damage, a server that does
    not answer."""


class QuestionError(RagError):
    """The question is empty, too long or otherwise unusable."""


class ConfigError(RagError):
    """A setting names something that does not exist or cannot load offline."""
