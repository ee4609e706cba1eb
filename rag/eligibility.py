"""Eligibility: which measures of a region's documents apply to an applicant of a given kind.

Matching reads the documents' own text (no per-region table): every sentence of the region's
clauses that offers support of a known category (funding, tax, loans and pledges, income share
and rewards, equipment access, talent, platforms) is a measure. Its status for the applicant:

* applies: it names the applicant's kind (or a kind that includes it: 企业 for a 科技型中小企业)
  and sets no condition;
* may apply: it names the kind but sets a condition (符合条件, 经认定, 达到一定比例, …: the
  condition is quoted), or it names no applicant kind at all;
* does not apply: it names only other kinds of applicant (高校 for an enterprise).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass

CATEGORIES = {
    "funding": ("资金支持", re.compile(r"资金|资助|补助|奖补|补贴|基金|以奖代补|财政支持|投入")),
    "tax": ("税收优惠", re.compile(r"税")),
    "loans": ("贷款与质押融资", re.compile(r"贷款|质押|融资|担保|贴息|信贷|科贷通")),
    "income": ("收益分配与奖励", re.compile(r"收益|奖励|报酬|股权|分红|期权")),
    "equipment": ("仪器设备开放", re.compile(r"仪器|设备|检验检测|开放共享|科研设施")),
    "talent": ("人才支持", re.compile(r"人才|培训|引进|职称|岗位|导师|学分")),
    "platforms": ("平台与载体", re.compile(r"孵化|众创|实验室|技术中心|研究院|平台|科技园|创新中心|基地")),
}
CATEGORY_LABELS_EN = {"funding": "funding", "tax": "tax", "loans": "loans and pledges",
                      "income": "income share and rewards", "equipment": "equipment access",
                      "talent": "talent", "platforms": "platforms"}

# applicant kinds → the words the documents use for them, most specific first; the broader
# words (企业) also cover the kind
KINDS = {
    "企业": ["企业"],
    "高新技术企业": ["高新技术企业", "高新企业", "创新型企业", "企业"],
    "科技型中小企业": ["科技型中小微企业", "科技型中小企业", "科技型小微企业", "中小微企业", "小微企业",
                  "中小企业", "科技型企业", "科技企业", "初创", "企业"],
    "高校": ["高等学校", "高校", "大学", "院校"],
    "科研院所": ["科研院所", "科研机构", "研究院所", "院所", "研发机构"],
    "科研人员": ["科研人员", "科技人员", "成果完成人", "发明人", "技术人员", "专家", "团队", "人才"],
    "孵化器/众创空间": ["孵化器", "众创空间", "孵化载体", "孵化机构", "大学科技园", "创新创业载体", "众创载体"],
}
SUPPORT = re.compile(r"支持|鼓励|给予|资助|补助|享受|奖励|扶持|可申请|可以|可将|倾斜|帮助|提供|开放|贴息|免息")
CONDITION = re.compile(r"符合条件[^，。；]*|经认定[^，。；]*|达到一定比例[^，。；]*|有条件的[^，。；]*|"
                       r"通过评审[^，。；]*|按规定[^，。；]*|试点[^，。；]*|遴选[^，。；]*|择优[^，。；]*|"
                       r"落户[^，。；]*|入驻[^，。；]*")
SENTENCE = re.compile(r"[^。；\n]+[。；]?")


@dataclass
class Measure:
    status: str  # applies | may apply | does not apply
    category: str
    text: str  # the sentence that states the measure
    condition: str  # what the applicant must check ("" when none)
    label: str  # 《title》clause number
    region: str
    clause_path: str
    field_match: bool = False


def _mentions(sentence: str, words: list[str]) -> bool:
    return any(w in sentence for w in words)


def status_for(sentence: str, kind: str) -> tuple[str, str]:
    """(status, condition) of one measure sentence for an applicant kind."""
    mine = KINDS[kind]
    others = [w for k, words in KINDS.items() if k != kind for w in words if w not in mine]
    conditions = [m.group(0) for m in CONDITION.finditer(sentence)]
    if _mentions(sentence, mine):
        return ("may apply", "；".join(conditions)) if conditions else ("applies", "")
    if _mentions(sentence, others):
        return "does not apply", ""
    return "may apply", "；".join(conditions) or "条款未限定申请主体，请向发文部门确认 (the clause names no applicant type)"


def measures_for(nodes: list, region: str, kind: str, field: str = "") -> list[Measure]:
    """Every support measure in ``region``'s clauses, with its status for ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown applicant kind {kind!r}; one of {', '.join(KINDS)}")
    out: list[Measure] = []
    seen: set[str] = set()  # the annex often repeats a clause's sentence: list it once
    for node in nodes:
        m = node.metadata
        if m.get("region") != region or m.get("kind") not in ("clause", "table_row"):
            continue
        for sentence in (s.strip() for s in SENTENCE.findall(node.text)):
            sentence = re.sub(r"^序号: \d+ \| ", "", sentence)
            if len(sentence) < 8 or not SUPPORT.search(sentence) or sentence in seen:
                continue
            category = next((c for c, (_, pattern) in CATEGORIES.items() if pattern.search(sentence)), None)
            if category is None:
                continue
            seen.add(sentence)
            status, condition = status_for(sentence, kind)
            out.append(Measure(status, category, sentence, condition,
                               f"《{m.get('title', '')}》{m.get('clause_number', '')}", region,
                               m.get("clause_path", ""), bool(field) and field in node.text))
    order = {"applies": 0, "may apply": 1, "does not apply": 2}
    out.sort(key=lambda x: (order[x.status], not x.field_match, list(CATEGORIES).index(x.category)))
    return out


def to_markdown(measures: list[Measure], region: str, kind: str) -> str:
    lines = [f"# {region} · {kind}: 适用措施 / applicable measures", "",
             "| 状态 status | 类别 category | 措施 measure | 条件 condition | 出处 source |", "|---|---|---|---|---|"]
    for x in measures:
        cells = [x.status, f"{CATEGORIES[x.category][0]} ({CATEGORY_LABELS_EN[x.category]})", x.text,
                 x.condition, x.label]
        lines.append("| " + " | ".join(c.replace("|", "｜").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv(measures: list[Measure]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(asdict(measures[0]).keys()) if measures else ["status"])
    writer.writeheader()
    for x in measures:
        writer.writerow(asdict(x))
    return buffer.getvalue()
