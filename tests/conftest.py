from __future__ import annotations

import shutil

import pytest

from rag.core.config import PROJECT_ROOT, Settings, apply_offline_defaults, settings_from_env
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document

apply_offline_defaults()
CORPUS = PROJECT_ROOT / "corpus"
# ../shared beside the checkout, or RAG_SHARED_DIR: the blind set and the extra documents are
# read from there, never copied into the repository
SHARED = settings_from_env().shared_dir
EXTRA_DOCS = SHARED / "extra-docs"
BLIND_SET = SHARED / "eval-blind" / "questions.jsonl"


@pytest.fixture(scope="session")
def catalog() -> CorpusCatalog:
    return CorpusCatalog.load(CORPUS)


@pytest.fixture(scope="session")
def corpus_docs(catalog):
    return {p.stem: load_document(p, catalog) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory) -> Settings:
    """The real corpus ingested once into a temporary store with the default embedder."""
    from rag.pipeline.writing import ingest_paths

    settings = Settings(data_dir=tmp_path_factory.mktemp("rag_data"))
    report = ingest_paths([CORPUS], settings)
    assert report.documents == 5 and not report.skipped
    return settings


EXAMPLE_REGULATION = """示例市促进科技成果转化条例

第一条 为了促进科技成果转化，制定本条例。
第二条 奖励情况应当在所在单位公示，公示时间不少于十五日。
第三条 研发机构、高等院校及相关人员违反本条例规定，在科技成果转化活动中弄虚作假的，由有关部门责令改正，没收违法所得，并处以违法所得一倍以上三倍以下的罚款；没有违法所得的，处以二万元以上五万元以下的罚款。
第四条 本条例有关研发机构、高等院校的规定，适用于政府设立的医疗卫生机构。
第五条 研发机构、高等院校开展科技成果转化活动，应当建立科技成果转化管理制度。
第六条 研发机构、高等院校可以将科技成果转移到本单位设立的科技成果转化机构实施转化。
第七条 落户园区的孵化器经认定后，享受房产税、城镇土地使用税优惠政策。
第八条 每年培育孵化器10家，对孵化器提供场地和创业辅导服务。
第九条 对入驻孵化器的企业给予补贴，具体办法另行制定。
"""


EXAMPLE_CATALOG = """
[[document]]
id = "shili_rules"
file = "rules.txt"
title = "示例市促进科技成果转化条例"
region = "示例市"
level = "city"
aliases = ["示例"]
"""


@pytest.fixture(scope="session")
def example_settings(tmp_path_factory) -> Settings:
    """A small regulation of an invented city (示例市), written here, ingested once."""
    from rag.pipeline.writing import ingest_paths

    root = tmp_path_factory.mktemp("reading")
    folder = root / "corpus"
    folder.mkdir()
    (folder / "documents.toml").write_text(EXAMPLE_CATALOG, encoding="utf-8")
    (folder / "rules.txt").write_text(EXAMPLE_REGULATION, encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "corpus" / "glossary.toml", folder)
    settings = Settings(corpus_dir=folder, data_dir=root / "data")
    ingest_paths([folder], settings)
    return settings


def index_documents(tmp_path_factory, name: str, documents: dict) -> Settings:
    """A store of its own holding only ``documents`` (file name → text, or → a Path to copy),
    ingested as `rag ingest` would; its settings."""
    import shutil as _shutil

    from rag.pipeline.writing import ingest_paths

    root = tmp_path_factory.mktemp(name)
    folder = root / "docs"
    folder.mkdir()
    for file_name, source in documents.items():
        if isinstance(source, str):
            (folder / file_name).write_text(source, encoding="utf-8")
        else:
            _shutil.copy(source, folder / file_name)
    settings = Settings(corpus_dir=CORPUS, data_dir=root / "data")
    ingest_paths([folder], settings)
    return settings
