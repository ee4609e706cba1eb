"""Question analysis: what a question asks for, read before anything is retrieved.

A typed value (:class:`QuestionAnalysis`) that later stages read instead of re-parsing the
question: an article asked for by number (第十八条 / Article 18) and the document facts asked
for (when a document takes effect, was adopted, issued or amended). Patterns are general
Chinese and English ways of asking, not keyed to any document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.core.vocabulary import CN_NUMERALS, HOW_MUCH, YEAR

_ARTICLE_ZH = re.compile(rf"第\s*([{CN_NUMERALS}两\d]+)\s*条")
_ARTICLE_EN = re.compile(r"\b(?:article|art\.)\s*(\d{1,3})\b", re.I)
# the question is about a document as a whole
_DOCUMENT_WORDS = re.compile(r"条例|办法|方案|文件|规定|法规|意见|细则|regulation|rules|plan|document|law|policy|act\b",
                             re.I)
# document facts: which metadata field answers, and how a question asks for it
DOCUMENT_FACTS = {
    "effective": re.compile(r"施行|生效|起实施|实施日期|何时实施|哪天实施|什么时候实施|come into (force|effect)|"
                            r"came into (force|effect)|take[sn]? effect|took effect|in force|effective", re.I),
    # 通过 is "adopted" where the verb ends its phrase (何时通过, 通过的, 通过日期); before its
    # object it is the preposition "through" (通过协议定价的 …)
    "adopted": re.compile(r"通过(?=[的了于时日？?。，,\s]|$)|制定时间|adopted|passed|enacted", re.I),
    "amendments": re.compile(r"修订|修正|修改|amend|revis", re.I),
    "issued": re.compile(r"印发|发布|出台|成文|issued|published|released", re.I),
}
_WHEN = re.compile(r"何时|什么时候|哪天|哪一天|哪年|日期|时间|几月|多久|几次|多少次|how many times|when|what date|which date|date|year|earlier|later|first",
                   re.I)


# five-year plan periods a question may name instead of years
_FIVE_YEAR = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030),
              "12th five-year": (2011, 2015), "13th five-year": (2016, 2020), "14th five-year": (2021, 2025)}
_YEAR = re.compile(rf"(?<!\d)({YEAR})(?!\d)")


# text addressed to the assistant itself, or program code, is no question about the documents
_TO_ASSISTANT = re.compile(
    r"(ignore|disregard|forget)\b.{0,30}\b(instructions?|prompts?|rules)|system prompt|your (instructions|prompt|rules)|"
    r"you are now|act as\b|jailbreak|忽略.{0,12}(指令|指示|提示)|系统提示词?|你的(指令|提示词)|你现在是", re.I)
_CODE = re.compile(r";\s*(drop|delete|insert|update|select|alter|truncate)\b|--\s*$|<\?php|\bunion\s+select\b", re.I)


@dataclass(frozen=True)
class QuestionAnalysis:
    article: int = 0  # an article asked for by number (第十八条 → 18), else 0
    document_facts: tuple[str, ...] = field(default_factory=tuple)  # effective, adopted, …
    years: tuple[int, int] | None = None  # the time the question is about (first, last year)
    not_about_documents: bool = False  # instructions to the assistant, or code
    kind: str = ""  # what is asked: figure | department | deadline | list | "" (a statement)
    units: tuple[str, ...] = ()  # the units figures are asked in, one per part asked: 件, % …
    applicant: str = ""  # a broad "what can we (kind) get" question: the applicant's kind

    @property
    def unit(self) -> str:
        """The unit the (first) figure is asked in: 万元, 家, % … ("" when unstated)."""
        return self.units[0] if self.units else ""

    @property
    def asks_article(self) -> bool:
        return self.article > 0

    @property
    def asks_document_facts(self) -> bool:
        return bool(self.document_facts)


def analyse(question: str) -> QuestionAnalysis:
    return QuestionAnalysis(article=asked_article(question), document_facts=asked_document_facts(question),
                            years=asked_years(question),
                            not_about_documents=bool(_TO_ASSISTANT.search(question) or _CODE.search(question)),
                            kind=asked_kind(question), units=asked_units(question),
                            applicant=asked_applicant(question))


# how a question asks for each kind of answer, most specific first
_KINDS = [
    ("department", re.compile(r"哪个部门|哪些部门|什么部门|哪个单位|哪些单位|由谁|谁负责|谁牵头|哪.{0,4}牵头|牵头单位|牵头部门|牵头的是|责任单位|"
                              r"责任部门|^\W*who\b|\bwho (?:is|are|was|will|shall|should|must|can|leads?|handles?|oversees?|approves?|decides?|"
                              r"registers?|takes? charge)\b|which (?:[\w-]+ ){0,2}(department|agency|bureau|body|unit|office|authority|authorities)|"
                              r"responsible|in charge", re.I)),
    # "when" asks a time before its verb ("When must…", "by when"), not as a conjunction
    # ("when a university licenses…")
    ("deadline", re.compile(r"什么时候|何时|哪年|几月|多久|期限|截止|之前要|deadline|by what date|how soon|how long|"
                            r"\b(?:by|until) when\b|"
                            r"\bwhen\s+(?:is|are|was|were|will|must|should|do|does|did|can|has|have|shall)\b", re.I)),
    ("figure", re.compile(rf"{HOW_MUCH}|比例|百分之几|how (much|many)|what (percentage|share|"
                          r"proportion|amount|minimum|maximum|rate)|how large|target", re.I)),
    ("list", re.compile(r"哪些|包括|有哪几|哪几[个项种类方面]|什么方式|哪些方式|what are the|which (ways|measures|items|"
                        r"forms|methods|parks|areas)|list", re.I)),
]


_ASKED_UNIT_ZH = re.compile(r"(?:多少|几)\s*(万元|亿元|元|%|家|个|项|名|人|件|所|天|日|个月|年)")
_ASKED_SHARE_ZH = re.compile(r"比例|比重|占比|百分之几|百分比|几成")
_ASKED_UNIT_EN = [(re.compile(r"what (?:minimum |maximum |lowest |highest )?(percentage|share|proportion|percent|rate)|"
                              r"how much of", re.I), "%"),
                  (re.compile(r"how much (money|funding|subsidy|support|capital)|how (large|big) .{0,120}\b(fund|budget|"
                              r"investment|subsidy|grant|capital)s?\b", re.I), "元"),
                  (re.compile(r"how many (?:working |calendar )?days", re.I), "日"),
                  (re.compile(r"how many months", re.I), "个月"),
                  (re.compile(r"how many years", re.I), "年")]


def asked_units(query: str) -> tuple[str, ...]:
    """The unit of each part a question asks ("培育多少家企业？其中高新技术企业占比多少？" → 家, %)."""
    parts = [p for p in re.split(r"[？?；;]", query) if p.strip()]
    return tuple(dict.fromkeys(u for part in parts for u in _units_asked(part)))


def asked_unit(query: str) -> str:
    """The unit an amount question asks in (多少万元 → 万元; 比例, what percentage → %), else ""."""
    return next(iter(_units_asked(query)), "")


def _units_asked(part: str) -> list[str]:
    """Every unit one part of a question asks in: a Chinese part asks one; an English part may
    join two with "and" (for how many years, and at what minimum rate → 年, %), in its order."""
    m = _ASKED_UNIT_ZH.search(part)
    if m:
        return [m.group(1)]
    if _ASKED_SHARE_ZH.search(part):
        return ["%"]
    found = [(match.start(), unit) for pattern, unit in _ASKED_UNIT_EN for match in [pattern.search(part)] if match]
    return [unit for _, unit in sorted(found)]


# a broad question about what an applicant can get, not about one measure
_WHAT_SUPPORT = re.compile(r"(?:能|可以|可|能够)(?:享受|申请|获得|得到|拿到)(?:哪些|什么|啥)(?:支持|政策|扶持|优惠|措施|帮助)|"
                           r"有(?:哪些|什么)(?:支持|扶持|优惠)(?:政策|措施)?|适用(?:哪些|什么)(?:政策|措施)|"
                           r"what (?:support|help|policies|measures|benefits)|which (?:support|policies|measures|benefits)|"
                           r"eligible for", re.I)


def asked_applicant(question: str) -> str:
    """The applicant kind of a broad eligibility question ("我们是眉山的科技型中小企业，能享受
    哪些支持？"), else ""."""
    from rag.extract.measures import applicant_kind

    return applicant_kind(question) if _WHAT_SUPPORT.search(question) else ""


def asked_kind(question: str) -> str:
    return next((kind for kind, pattern in _KINDS if pattern.search(question)), "")


def asked_years(question: str) -> tuple[int, int] | None:
    """The years a question is about: 2025, 2021—2025, 十四五, "13th Five-Year Plan"."""
    lowered = question.lower()
    spans = [span for name, span in _FIVE_YEAR.items() if name in lowered]
    years = [int(y) for y in _YEAR.findall(question)]
    if spans:
        years += [spans[0][0], spans[0][1]]
    return (min(years), max(years)) if years else None


def asked_article(question: str) -> int:
    """The article number a question asks for ("第十八条说了什么", "Article 18 of …"), else 0.

    A question that asks which article says something ("哪一条规定了…") names no number and is
    answered by retrieval, whose citation names the article."""
    match = _ARTICLE_EN.search(question)
    if match:
        return int(match.group(1))
    match = _ARTICLE_ZH.search(question)
    if match:
        import cn2an

        try:
            return int(cn2an.cn2an(match.group(1), "smart"))
        except ValueError:
            return 0
    return 0


def asked_document_facts(question: str) -> tuple[str, ...]:
    """The document facts a question asks for: it names a document and asks when it took
    effect, was adopted, amended or issued."""
    if not _DOCUMENT_WORDS.search(question) or not _WHEN.search(question):
        return ()
    return tuple(name for name, pattern in DOCUMENT_FACTS.items() if pattern.search(question))


def title_spelled(metadata: dict, text: str) -> float:
    """How much of a document's title a question spells: the share of the title's character
    pairs found in ``text`` (the question with, for English, its Chinese terms). Pairs, not the
    whole title, so a typo (促近 for 促进) or a dropped word still names it; a title of fewer
    than four pairs (专利条例) names nothing by itself."""
    title = metadata.get("title", "")
    pairs = {title[i:i + 2] for i in range(len(title) - 1)}
    return sum(pair in text for pair in pairs) / len(pairs) if len(pairs) >= 4 else 0.0
