"""Numbers as policy texts write them, brought to one form so two statements can be compared:
70% = 百分之七十 = 70％, 200 亿元 = 200亿元, 一千 = 1000, 两千万元 = 2000万元. A Chinese numeral of
one character counts only before a measure word (三年, 五家; not 一批, 统一).
"""
from __future__ import annotations

import re
from functools import lru_cache

_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")  # 30% and 30 are different claims


# a Chinese numeral of one character counts as a number only before a measure word: 三年, 五家,
# but not 一批, 一系列, 一定, 统一 (cn2an would read them all as 1)
_MEASURE = "个项家名人年月日天次件所倍成万亿元岁条款章节期届"


_LONE_NUMERAL = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿\d之第])([一二两三四五六七八九十])(?![零〇一二两三四五六七八九十百千万亿\d])")


_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate("一二两三四五六七八九十")}


_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}


_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10000}


_BARE_UNIT = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿\d.])([百千万])([个项家名人件所])")


_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)")


@lru_cache(maxsize=50_000)  # the same clause sentences are read for question after question
def arabic_numerals(text: str) -> str:
    """Chinese numerals as digits, through cn2an (the maintained library): 二〇二〇年 → 2020年,
    百分之七十 → 70%, 十五日 → 15日, 第十八条 → 第18条; idioms stay words (千方百计, 一批)."""
    import warnings

    import cn2an

    text = text.translate(str.maketrans("０１２３４５６７８９％．", "0123456789%."))
    # a lone numeral before a non-measure word is a word (一批), protected from the converter
    text = _LONE_NUMERAL.sub(lambda m: m.group(1) if text[m.end():m.end() + 1] and text[m.end()] in _MEASURE
                             else _PLACEHOLDER[m.group(1)], text)
    with warnings.catch_warnings():  # cn2an warns about every unit character it leaves alone
        warnings.simplefilter("ignore")
        try:
            text = cn2an.transform(text, "cn2an")
        except (ValueError, KeyError):  # a form cn2an does not parse stays as written
            pass
    text = "".join(_RESTORE.get(ch, ch) for ch in text)
    # a bare unit before a measure word is a round figure: 千名 = 1000名, 百家 = 100家
    text = _BARE_UNIT.sub(lambda m: str(_UNIT_VALUE[m.group(1)]) + m.group(2), text)
    text = re.sub(r"(\d)成(?![员为功果立本]|不变)", lambda m: f"{m.group(1)}0%", text)  # 七成 → 70%
    # written the way the documents write figures: 五万元 → 5万元, not 50000元
    return _ROUND.sub(lambda m: m.group(1) + ("万" if m.group(2) == "0000" else "亿"), text)


_ROUND = re.compile(r"(?<![\d.])([1-9]\d*?)(0000|00000000)(?=元|人|家|个|项|名|件|所)")


@lru_cache(maxsize=50_000)
def normalise_numbers(text: str) -> str:
    """One spelling for comparing numbers: digits (arabic_numerals), 万 and 亿 multiplied out
    (两千万元 = 2000万元 = 20000000元; 1.5亿 = 15000万), no inner spaces or thousands commas."""
    text = arabic_numerals(text)
    text = re.sub(r"(\d)\s+(?=[\d%亿万千百元个家项名件年月日])", r"\1", text)
    text = re.sub(r"(\d),(?=\d{3})", r"\1", text)
    # an English answer's scale words: 6 million yuan = 600万元
    text = _ENGLISH_SCALE.sub(lambda m: _times(m.group(1), _ENGLISH_SCALES[m.group(2).lower()]), text)
    return _SCALE.sub(lambda m: _times(m.group(1), 10_000 if m.group(2) == "万" else 100_000_000), text)


_ENGLISH_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_ENGLISH_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s+(thousand|million|billion)\b", re.I)


def _times(number: str, scale: int) -> str:
    value = float(number) * scale
    return str(int(value)) if value == int(value) else f"{value:g}"


def numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(normalise_numbers(text))


def unsupported_numbers(sentence: str, sources: list[str]) -> list[str]:
    """Numbers in ``sentence`` that none of ``sources`` contains (after normalising)."""
    source_numbers = set()
    for s in sources:
        source_numbers.update(numbers_in(s))
    return [n for n in numbers_in(sentence) if n not in source_numbers]
