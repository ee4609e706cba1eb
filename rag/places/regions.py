"""Region names and levels: the names a user may type for a region known only from a
document's text (白石市, 白石, baishi), the level a name's suffix gives (省 → province; the four
municipalities are province level), and a region's English name in pinyin with its level.
"""
from __future__ import annotations

import re


def names_for_region(region: str) -> list[str]:
    """Names a question may use for a region known only from a document's text: the name,
    the name without its level (白石市 → 白石), that in pinyin (baishi) and, for a
    two-character name, its pinyin initials as people type them in chat (北京 → bj)."""
    from pypinyin import lazy_pinyin

    short = re.sub(r"(省|自治区|市|州|县|区)$", "", region) or region
    names = [region, short]
    if len(short) >= 2:
        syllables = lazy_pinyin(short)
        names.append("".join(syllables))
        if len(syllables) == 2:
            names.append("".join(s[0] for s in syllables))
    return list(dict.fromkeys(n.lower() for n in names))


def with_indexed_regions(groups: dict[str, list[str]], regions: set[str]) -> dict[str, list[str]]:
    """``groups`` plus names for every indexed region that ``documents.toml`` does not describe."""
    known = {r for covered in groups.values() for r in covered}
    out = dict(groups)
    for region in sorted(regions - known - {""}):
        for name in names_for_region(region):
            out.setdefault(name, [region])
    return out


NATIONAL_TITLE = re.compile(r"^(中华人民共和国|国务院|国家|全国|中共中央|科学技术部|科技部|财政部|教育部)")


# the four municipalities are provinces in the administrative hierarchy
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def level_of(region: str, title: str = "") -> str:
    """national | province | city | county | demonstration_zone, from the name's own suffix."""
    if not region:
        return "national" if NATIONAL_TITLE.match(title) else ""
    if region.endswith(("省", "自治区")) or region in _MUNICIPALITIES:
        return "province"
    if region.endswith("示范区"):
        return "demonstration_zone"
    if region.endswith(("市", "州", "盟", "地区")):
        return "city"
    if region.endswith(("县", "区", "旗")):
        return "county"
    return ""


_EN_LEVEL = (("自治区", "Autonomous Region"), ("省", "Province"), ("市", "City"), ("自治州", "Prefecture"),
             ("州", "Prefecture"), ("县", "County"), ("区", "District"))


def english_region(region: str) -> str:
    """A region's English name as official usage writes places, in pinyin with its level
    (浙江省 → Zhejiang Province, 北京市 → Beijing); "" for a name that is not one place."""
    from pypinyin import lazy_pinyin

    if not region or not re.fullmatch(r"[\u4e00-\u9fff]{2,12}", region):
        return ""
    if region in _MUNICIPALITIES:
        return "".join(lazy_pinyin(region[:-1])).capitalize()
    for suffix, level in _EN_LEVEL:
        if region.endswith(suffix) and len(region) > len(suffix) + 1:
            return "".join(lazy_pinyin(region[: -len(suffix)])).capitalize() + " " + level
    return "".join(lazy_pinyin(region)).capitalize()
