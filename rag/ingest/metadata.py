"""Document metadata read from the text itself, for documents without a catalog entry.

Official documents state their own identity in a few fixed forms, and these are read by
those forms, never by a list of known documents:
  * the title: a short line naming the kind of document (条例, 办法, 方案 …), or the X of a
    notice "关于印发《X》的通知";
  * the issuing body: the office before "关于印发…", or the congress standing committee whose
    meeting adopted a regulation ("…人民代表大会常务委员会第十六次会议通过");
  * the document number (文号): 阿府办发〔2016〕50号;
  * dates: adoption (…通过), amendments (…修订 / …修正), issue (印发, or the date under the
    issuer's name at the end), taking effect (本条例自2020年1月1日起施行);
  * the period a plan covers: （2016—2020年）.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TITLE_WORDS = ("方案", "办法", "意见", "规定", "条例", "规划", "通知", "细则", "措施", "决定", "法")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_NOTICE = re.compile(r"^(?P<issuer>.{0,40}?)关于印发[《<〈]?(?P<title>.+?)[》>〉]?的通知$")
# a document's own number stands on its own line (or after a 文号 label); one in brackets or
# after 《…》 is a document it cites
_DOC_NUMBER = re.compile(r"(?:^|文\s*号\s*[:：]?\s*)([\u4e00-\u9fff]{1,12}[〔\[［]\d{4}[〕\]］]\s*\d{1,4}\s*号)",
                         re.M)
# the congress or its standing committee, by its full or its short name (人大常委会)
_CONGRESS = re.compile(r"\s*(?P<body>[\u4e00-\u9fff（）]{0,60}?(?:人民代表大会(?:常务委员会)?|人大(?:常委会)?))")
_ACT = re.compile(r"通过|修订|修正|批准")
_EFFECTIVE = re.compile(r"自\s*" + _DATE + r"\s*起\s*(?:施行|实施|执行|生效)")
_PERIOD = re.compile(r"[（(]\s*(\d{4})\s*[—–\-－~～至到]+\s*(\d{4})\s*年?\s*[）)]")
_SIGNED = re.compile(r"^" + _DATE + r"$")
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:人民政府办公厅|人民政府办公室|人民政府|委员会|厅|局|委|办公室)$")


@dataclass(frozen=True)
class DocumentFacts:
    title: str = ""
    notice_title: str = ""
    issuer: str = ""
    doc_number: str = ""
    adopted: str = ""  # ISO dates
    issued: str = ""
    effective: str = ""
    amendments: tuple[str, ...] = field(default_factory=tuple)  # "2017-03-30 修订"
    period: str = ""  # "2016-2020"

    @property
    def date(self) -> str:
        """The document's own date: issued, else adopted (what a catalog's `date` means)."""
        return self.issued or self.adopted

    def as_metadata(self) -> dict[str, str]:
        return {"adopted": self.adopted, "issued": self.issued, "effective": self.effective,
                "amendments": "；".join(self.amendments), "period": self.period}


def iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _legislative_acts(head: str) -> list[tuple[str, str, str]]:
    """(ISO date, congress, act) for each dated line of a regulation's header: the act is the
    last of 通过/修订/修正/批准 before the next date ("…会议通过的《决定》修正" is an amendment)."""
    dates = list(re.finditer(_DATE, head))
    acts = []
    for i, m in enumerate(dates):
        segment = head[m.end(): dates[i + 1].start() if i + 1 < len(dates) else len(head)].split("\n")[0]
        body = _CONGRESS.match(segment)
        found = _ACT.findall(segment)
        if body and found:
            acts.append((iso(m.group(1), m.group(2), m.group(3)), body.group("body"), found[-1]))
    return acts


def is_legislative_record(line: str) -> bool:
    """A header line recording an act on the document itself (2024年5月10日 上海市…会议第二次修订):
    the document's history, not one of its rules."""
    line = line.strip(" \u3000（(")
    return bool(re.match(_DATE, line)) and bool(_legislative_acts(line))


def read_facts(text: str) -> DocumentFacts:
    """What the document says about itself (empty fields where it says nothing)."""
    lines = [ln.strip(" \u3000\t\xa0") for ln in text.splitlines()]
    head = [ln for ln in lines[:40] if ln]
    title, notice, issuer = _title(head)
    adopted, amendments = "", []
    for date, body, act in _legislative_acts("\n".join(lines[:60])):
        if act == "通过" and not adopted:
            adopted = date
            issuer = issuer or re.sub(r"第[一二三四五六七八九十]+届", "", body)
        elif act in ("修订", "修正"):
            amendments.append(f"{date} {act}")
    effective = ""
    effective_match = _EFFECTIVE.search(text)
    if effective_match:
        effective = iso(*effective_match.groups())
    number = _DOC_NUMBER.search("\n".join(lines[:60]))
    period = _PERIOD.search(title)
    return DocumentFacts(
        title=title, notice_title=notice, issuer=issuer or _signature_issuer(lines),
        doc_number=re.sub(r"\s+", "", number.group(1)) if number else "",
        adopted=adopted, issued="" if adopted else _issued(lines), effective=effective, amendments=tuple(amendments),
        period=f"{period.group(1)}-{period.group(2)}" if period else "")


def _title(head: list[str]) -> tuple[str, str, str]:
    """(title, notice title, issuer from the notice line) from the first lines."""
    for line in head:
        notice = _NOTICE.match(line)
        if notice and len(line) <= 120:
            return notice.group("title").strip("《》〈〉"), line, notice.group("issuer").strip()
    for i, line in enumerate(head):
        if 4 <= len(line) <= 80 and "。" not in line and any(line.endswith(w) or w + "（" in line
                                                             or w + "(" in line for w in TITLE_WORDS) \
                and not re.match(r"^(第[一二三四五六七八九十百]+[章条节]|[一二三四五六七八九十]+、|\d|附\s*件)", line):
            previous = head[i - 1] if i else ""
            # a title set on two lines ("…示范区" / "建设实施方案")
            if previous and len(previous) <= 30 and "。" not in previous and not re.match(r"^附\s*件", previous) \
                    and not _DOC_NUMBER.search(previous) and not _SIGNED.match(previous) \
                    and len(previous + line) <= 80:
                line = previous + line
            return line.strip("《》"), "", ""
    for line in head:  # a notice that names what it issues: 《…》已经…同意，现印发给你们
        quoted = re.search(r"《([^》]{4,80})》[^。]{0,20}印发", line)
        if quoted:
            return quoted.group(1), "", ""
    return "", "", ""


def _issued(lines: list[str]) -> str:
    """The date under the issuer's name (…办公室\\n2016年11月11日), or the date standing alone
    under a notice's first lines."""
    for i, line in enumerate(lines):
        m = _SIGNED.match(line)
        if m and i > 0 and (_ISSUER_LINE.match(_previous_text(lines, i)) or i < 40):
            return iso(*m.groups())
    return ""


def _signature_issuer(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        if _SIGNED.match(line) and i > 0:
            previous = _previous_text(lines, i)
            if _ISSUER_LINE.match(previous):
                return previous
    return ""


def _previous_text(lines: list[str], i: int) -> str:
    for j in range(i - 1, max(-1, i - 4), -1):
        if lines[j]:
            return lines[j]
    return ""
