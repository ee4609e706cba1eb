"""政策问答: cited question answering over Chinese science-and-technology policy documents."""
from rag.core.config import Settings, get_settings
from rag.core.errors import ConfigError, DocumentError, IndexMissingError, QuestionError, RagError

__all__ = ["Settings", "get_settings", "answer", "ingest_paths", "RagError", "DocumentError",
           "IndexMissingError", "QuestionError", "ConfigError"]


def __getattr__(name: str):
    # lazy: importing rag must stay fast for the CLI (models load only when used)
    if name == "answer":
        from rag.pipeline.asking import answer

        return answer
    if name == "ingest_paths":
        from rag.pipeline.writing import ingest_paths

        return ingest_paths
    raise AttributeError(name)
