"""Measures for applicants, read at ingest from every clause and table row: who benefits, what
kind of benefit, how much, on what condition — told apart from the duties the clause gives to
government units (who must act).

Beneficiaries are kinds in a hierarchy (高新技术企业, 科技型中小企业, 小微企业 and 国有企业 are
企业), found longest word first, so 企业 inside 小微企业 is the narrower kind, never the broad
one. A kind followed by what it must do (对…奖励, 应当, 要) is the actor of the sentence, not
its beneficiary. A sentence with a benefit but no beneficiary ("加大财政投入", "各地要将…摆上
重要位置") is a government duty, not a measure an applicant can use — unless it is an offer
open to anyone (设立…基金, …者享受…, 提供…服务): "needs checking" for every applicant.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from rag.core.numbers import arabic_numerals
from rag.core.vocabulary import SENTENCE_ENDS
from rag.extract.facts import figures

PROJECTS = "项目"  # not an applicant kind: the beneficiary of a measure for qualifying projects
# kind → (the words the documents use for it, the broader kind it belongs to)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "企业": (("企业",), ""),
    "高新技术企业": (("高新技术企业", "高新企业"), "企业"),
    "科技型中小企业": (("科技型中小微企业", "科技型中小企业", "科技型企业", "科技企业", "中小微企业", "中小企业"), "企业"),
    "小微企业": (("科技型小微企业", "小微企业", "小型微型企业"), "企业"),
    "国有企业": (("国有企业", "国有独资企业", "国有控股企业", "市属国有企业", "国企"), "企业"),
    "高校": (("高等学校", "高等院校", "高校", "大学"), ""),
    # 高校院所 (universities and institutes) names both: see JOINT
    "科研院所": (("科研院所", "科研机构", "研究院所", "研究开发机构", "研发机构"), ""),
    "科研人员": (("科研人员", "科技人员", "成果完成人", "完成人", "发明人", "技术人员", "研究人员", "专家", "科技特派员",
              "做出重要贡献的人员", "作出重要贡献的人员"), ""),
    "学生": (("大学生", "高校毕业生", "毕业生", "研究生", "学生"), ""),
    "青年创业者": (("青年", "创业者", "创业团队", "创客"), ""),
    "孵化器/众创空间": (("科技企业孵化器", "企业孵化器", "孵化器", "众创空间", "创客空间", "孵化载体", "孵化机构",
                    "大学科技园", "创新创业载体"), ""),
    "企业家": (("企业家", "企业经营管理者", "企业管理者"), ""),
    "中介机构": (("技术转移机构", "科技中介机构", "中介机构", "服务机构", "技术经纪人"), ""),
    "金融机构": (("金融机构", "银行", "保险机构", "担保机构", "创业投资机构", "投资机构"), ""),
    "医疗卫生机构": (("医疗卫生机构", "医院"), ""),
    # a measure for projects is open to any applicant whose project qualifies
    PROJECTS: (("重大科技成果转化项目", "科技成果转化项目", "成果转化项目", "重大创新项目", "项目承担单位", "项目承担者"), ""),
}
# the kinds' names in English questions ("we are a tech-based SME"), longest first when matched
ENGLISH_KINDS = {
    "high-tech enterprise": "高新技术企业", "high-tech company": "高新技术企业", "high-tech firm": "高新技术企业",
    "sme": "科技型中小企业", "small and medium": "科技型中小企业", "small business": "小微企业",
    "micro enterprise": "小微企业", "state-owned enterprise": "国有企业", "soe": "国有企业",
    "university": "高校", "college": "高校", "research institute": "科研院所", "researcher": "科研人员",
    "scientist": "科研人员", "inventor": "科研人员", "student": "学生", "graduate": "学生",
    "young entrepreneur": "青年创业者", "start-up": "青年创业者", "startup": "青年创业者",
    "incubator": "孵化器/众创空间", "makerspace": "孵化器/众创空间", "intermediary": "中介机构",
    "bank": "金融机构", "hospital": "医疗卫生机构", "company": "企业", "enterprise": "企业", "firm": "企业",
}
BENEFITS: dict[str, tuple[str, re.Pattern]] = {
    "funding": ("资金支持", re.compile(r"资金|资助|补助|奖补|补贴|基金|以奖代补|后补助|经费")),
    "tax": ("税收优惠", re.compile(r"税")),
    "loans": ("贷款与担保", re.compile(r"贷款|质押|融资|担保|贴息|信贷|科贷通")),
    "equity": ("股权与收益分配", re.compile(r"收益|收入|利润|股权|股份|出资比例|分红|期权|作价入股|报酬")),
    "awards": ("奖励", re.compile(r"奖励|表彰|奖")),
    "equipment": ("仪器设备开放", re.compile(r"仪器|设备|检验检测|开放共享|科研设施|创新券")),
    "talent": ("人才与职称", re.compile(r"职称|评聘|岗位|兼职|离岗|创业|人才|培训|导师|学分|落户|居留")),
    "platforms": ("平台与载体", re.compile(r"孵化|众创|实验室|技术中心|研究院|(?:设立|建设|建立|共建)[^，。；的]{0,6}研发机构|平台|科技园|创新中心|基地")),
    "services": ("服务", re.compile(r"服务|咨询|对接|便利|简化")),
    # a kind supported with no benefit named (支持企业引进先进技术, 扶持一批高新技术企业): set by
    # measure_of, never by a pattern
    "support": ("其他支持", re.compile(r"(?!)")),
}
_SUPPORT = re.compile(r"支持|鼓励|给予|资助|补助|享受|享有|奖励|扶持|援助|可申请|可以|可将|可按|允许|倾斜|帮助|提供|开放|"
                      r"贴息|免息|减免|加计扣除|优惠|优先|纳入|划归|留归|提取|吸引|激励|同等对待")
_CONDITION = re.compile(r"符合条件[^，。；]*|经认定[^，。；]*|经备案[^，。；]*|认定为[^，。；]*|通过评审[^，。；]*|"
                        r"达到一定比例[^，。；]*|有条件的[^，。；]*|按规定[^，。；]*|按照有关规定[^，。；]*|"
                        r"择优[^，。；]*|遴选[^，。；]*|落户[^，。；]*|入驻[^，。；]*|连续\d+年[^，。；]*|"
                        r"在[^，。；]{2,8}内(?=[^，。；]{0,12}者)|\d+年内[^，。；]*|超过[\d一二三四五六七八九十两]+年[^，。；]*")
_ASKING = re.compile(r"政策|措施|优惠|帮助|支撑|援助|哪些|什么|support|help|get|polic|measure", re.I)


def offers(word: str) -> bool:
    """A word that asks what is offered (支持, 享受, 政策), not what about."""
    return bool(_SUPPORT.search(word) or _ASKING.search(word))


# what follows a kind that acts rather than receives: 国有企业…对…奖励, 高校应当…, 企业要…,
# 高校院所向社会开放…, 研发机构、高等院校可以按照下列标准对…人员给予奖励
_ACTS = re.compile(r"^[^，。；]{0,6}?(?:对(?!其)|应当|应|要|须|必须|负责|牵头|将其|向)|^[^，。；]{0,16}?对[^，。；]*(?:给予|奖励)")
# what a kind is named after when it is a resource the measure draws on, not a receiver
_RESOURCE_BEFORE = re.compile(r"(?:依托|依靠|动员|发挥)[^，。；]{0,24}$"
                              # what is built (建设一批孵化器) and the other party (与科技人员约定)
                              r"|(?:建设|建立|打造|组建|创办|共建|整合)(?:[^，。；]{0,4}|[^，。；]{0,16}、[^，。；]{0,12})$|与$")


@dataclass(frozen=True)
class Measure:
    text: str  # the sentence
    beneficiaries: tuple[str, ...]  # kinds (KINDS keys), the receivers of the benefit
    actors: tuple[str, ...]  # kinds named as doing something (their duty), not receiving
    benefits: tuple[str, ...]  # BENEFITS keys
    amount: str  # the figure of the benefit ("" when none): 不低于70%, 5万元
    conditions: tuple[str, ...]  # what an applicant must meet: 经认定…, 符合条件的…


# words that name two kinds at once
JOINT = {"高校院所": ("高校", "科研院所"), "高等院校和科研院所": ("高校", "科研院所")}


# a kind that only says where or whose: 在研发机构…担任领导职务的科技人员, 企业科技人才, 从企业获得
_PLACE_BEFORE = re.compile(r"(?:在(?!校)|从)[^，。；]{0,6}$")
_PERSON_AFTER = re.compile(r"^(?:科技)?(?:人才|人员)")
_PEOPLE = ("科研人员", "学生", "青年创业者", "企业家")


def _receivers_named(sentence: str) -> list[tuple[str, int, int]]:
    """The kinds of a sentence that can receive: not a place or an owner (a kind listed after
    one is one too: 在研发机构、高等院校担任…)."""
    out, previous = [], None
    named = kinds_in(sentence)
    for i, kind in enumerate(named):
        name, start, end = kind
        head = next((k for k in named[i + 1:] if k[1] >= end), None)
        modifier = bool(_PLACE_BEFORE.search(sentence[:start])
                        or (name not in _PEOPLE and _PERSON_AFTER.match(sentence[end:]))
                        or (head is not None and _MODIFIES.match(sentence[end:head[1]]))
                        or _OWNS_AFTER.match(sentence[end:])
                        or (previous and previous[0] and _LIST_JOIN.match(sentence[previous[1]:start])))
        if modifier:  # the kinds listed before it are so too (研发机构、高等院校持有的…)
            while out and _LIST_JOIN.match(sentence[out[-1][2]:start]) and out[-1][2] <= start:
                start = out.pop()[1]
        else:
            out.append(kind)
        previous = (modifier, end)
    return out


_OWNS_AFTER = re.compile(r"^(?:持有|拥有|所属|所有)的")  # an owner: 高等院校持有的职务科技成果
# what lies between a kind and the head noun it modifies: 服务科研机构科技成果转化的小额贷款公司等新型金融机构
_MODIFIES = re.compile(r"^[^，。；、]{0,24}的[^，。；、的]{0,12}$")
# how a reward or cost is booked (…奖励和报酬的支出计入当年本单位工资总额): a rule for the
# payer's accounts, not a measure an applicant can use
_ACCOUNTING = re.compile(r"(?:支出|费用|经费)[^，。；]{0,4}(?:计入|列入|纳入|不纳入|不受)")
# an offer open to any applicant, naming no kind: a fund set up, whoever does something, a
# service provided, qualifying bodies of any kind
_OPEN_OFFER = re.compile(r"(?:设立|设置|提升|扩大)[^，。；]{0,20}(?:基金|专项资金)|[^，。；]{2,}者[，,]?(?:可|享受)|"
                         r"提供[^，。；]{0,24}(?:服务|咨询)|支持有条件的(?:地区和)?(?:机构|单位)")


# a qualifier that selects some of a kind (创新型领军企业, 龙头企业): a condition to check
_SELECTIVE = re.compile(r"(?:领军|龙头|骨干|示范|优秀|知名|规模以上)[^，。；、]{0,2}$")


def _benefits(text: str) -> tuple[str, ...]:
    return tuple(k for k, (_, pattern) in BENEFITS.items() if pattern.search(text))


def kinds_in(sentence: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every applicant kind named, longest word first, each character
    claimed once: 小微企业 is 小微企业, and its 企业 is not counted again; 高校院所 is both 高校
    and 科研院所."""
    words = sorted([(w, (k,)) for k, (ws, _) in KINDS.items() for w in ws] + list(JOINT.items()),
                   key=lambda x: -len(x[0]))
    taken = [False] * len(sentence)
    out = []
    for word, kinds in words:
        for m in re.finditer(re.escape(word) + "(?!化)", sentence):  # 企业化运营 names no 企业
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            out.extend((kind, m.start(), m.end()) for kind in kinds)
    return sorted(out, key=lambda x: x[1])


@lru_cache(maxsize=20_000)
def measure_of(sentence: str, inherited: tuple[str, ...] = (), context: str = "") -> Measure | None:
    """The measure a sentence states for applicants, or None (no benefit, no beneficiary, or
    only a duty of the units it names). ``inherited``: the beneficiaries of the lead sentence
    an enumerated item continues (…对做出重要贡献的人员给予奖励：（一）…提取不低于70%);
    ``context``: the whole sentence a directive is part of, whose benefit it shares when it
    names none (…质押融资…，支持初创期科技企业…)."""
    sentence = re.sub(r"^序号: \d+ \| ", "", sentence.strip())
    if len(sentence) < 8 or not (_SUPPORT.search(sentence) or _OPEN_OFFER.search(sentence)) \
            or _ACCOUNTING.search(sentence):
        return None
    found = _receivers_named(sentence)
    open_offer = not found and bool(_OPEN_OFFER.search(sentence))  # for any applicant
    benefits = _benefits(sentence)
    if not benefits and _runs_after(_BACKING, sentence, found):
        benefits = _benefits(context)
    if not benefits and (_runs_after(_BACKING, sentence, found) or _granted(sentence, found) or open_offer):
        benefits = ("support",)  # 扶持一批高新技术企业, 高等院校…可以自主决定实施转化: support unnamed
    if not benefits:
        return None
    beneficiaries, actors = [], []
    named = _named_after_verbs(sentence, found)
    for kind, start, end in found:
        if named is not None:
            (beneficiaries if kind in named else actors).append(kind)
            continue
        acts = _ACTS.match(sentence[end:]) and not _SUPPORTED_BEFORE.search(sentence[:start])
        (actors if acts or _RESOURCE_BEFORE.search(sentence[:start]) else beneficiaries).append(kind)
    beneficiaries = list(dict.fromkeys(beneficiaries)) or list(inherited)
    if not beneficiaries and not open_offer:
        return None
    written = arabic_numerals(sentence)
    amount = next((f.text for f in figures(written) if f.unit in ("%", "万元", "亿元", "元")), "")
    conditions = tuple(dict.fromkeys([m.group(0) for m in _CONDITION.finditer(sentence)] +
                                     [_SELECTIVE.search(sentence[:start]).group(0) + sentence[start:end]
                                      for kind, start, end in found
                                      if kind in beneficiaries and _SELECTIVE.search(sentence[:start])]))
    return Measure(sentence, tuple(beneficiaries), tuple(dict.fromkeys(actors)), benefits, amount, conditions)


# verbs whose object receives (给予 X, 对 X, 为 X; 向 X beside a supporting verb) and verbs
# whose object is supported, often to act (支持 X, 鼓励 X)
_RECEIVER_VERBS = re.compile(r"给予|对|为")
_TOWARD = re.compile(r"向")
_SUPPORT_VERBS = re.compile(r"支持|鼓励|扶持|资助|奖励|激励|引导|培育|优先|吸引")
_BACKING = re.compile(r"支持|扶持|资助|优先|激励")  # verbs that back a kind by themselves
# a kind granted a right or a priority as the subject of its sentence: 高等院校…可以自主决定…,
# 完成人可以自行投资实施, 中小微企业优先实施
_GRANTED = re.compile(r"可以|可(?![能持])|优先")
_AUTHORITY = re.compile(r"部门|政府|机关|管委会|委员会")  # …主管部门可以终止项目: the authority holds the right
_GIVES = re.compile(r"^[^，。；]{0,2}?(?:向社会|向[^，。；]{0,6}开放|对外开放|加大|加强|扩大|出台|开发|创办|整合)")
_LIST_JOIN = re.compile(r"^[、和及或]?$|^以及$")
# urged, not backed, to set something up of its own (鼓励高校院所设置创业导师流动岗位): the
# institution's task, unless the sentence backs it; a person urged (鼓励科技人员…创业) is offered
# the chance
_URGES = re.compile(r"鼓励|引导")
_RESOURCED = re.compile(r"给予|资助|补助|补贴|奖补|资金支持")  # …，给予资金支持: backed after all
_SETS_UP = re.compile(r"^[^，。；]{0,2}?(?:设立|设置|建立|完善|开放|与[^，。；]{1,12}建立)")
_BUILDS = re.compile(r"创办|建设|建立|组建|打造|共建|设立|成立|整合")
MAX_OBJECT_OFFSET = 20  # characters between a verb and the first kind it takes (its qualifiers)


def _runs_after(verbs: re.Pattern, sentence: str, found: list[tuple[str, int, int]]) -> list[tuple[int, list]]:
    """(verb position, the kinds listed right after it in its comma clause) for each verb that
    takes a kind."""
    out = []
    for m in verbs.finditer(sentence):
        end = _clause_end(sentence, m.end())
        after = [k for k in found if m.end() <= k[1] < end]
        built = _BUILDS.search(sentence[m.end():after[0][1]]) if after else None
        if not after or after[0][1] - m.end() > MAX_OBJECT_OFFSET or (built and built.start() >= 2):
            continue  # 鼓励社会力量创办…服务机构: what another builds (支持建设孵化机构 backs it)
        run = [after[0]]
        for kind in after[1:]:
            if not _LIST_JOIN.match(sentence[run[-1][2]:kind[1]]):
                break
            run.append(kind)
        out.append((m.start(), run))
    return out


def _urged_to_set_up(sentence: str, at: int, run: list[tuple[str, int, int]]) -> bool:
    """鼓励高校院所设置创业导师流动岗位: institutions urged, not backed, to set up their own."""
    return bool(_URGES.match(sentence, at) and _SETS_UP.match(sentence[run[-1][2]:])
                and not {k for k, _, _ in run} & set(_PEOPLE) and not _RESOURCED.search(sentence))


def _granted(sentence: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The kinds a sentence grants a right or a priority, as its subject: a kind (or a list of
    kinds) right before 可以/优先, no other kind between, not one that acts for another."""
    out = []
    for i, (kind, start, end) in enumerate(found):
        m = _GRANTED.search(sentence, end)
        if m is None or m.start() - end > 30 or _ACTS.match(sentence[end:]) \
                or _AUTHORITY.search(sentence[end:m.start()]):
            continue
        between = [k for k in found[i + 1:] if end <= k[1] < m.start()]
        last = end
        for k in between:  # only the rest of its own list (研发机构、高等院校…可以)
            if not _LIST_JOIN.match(sentence[last:k[1]]):
                break
            last = k[2]
        else:
            out.append((kind, start, end))
    return out


def _clause_end(sentence: str, start: int) -> int:
    return min([i for i in (sentence.find(c, start) for c in "，,。；") if i >= 0] or [len(sentence)])


def _named_after_verbs(sentence: str, found: list[tuple[str, int, int]]) -> set[str] | None:
    """The beneficiaries the verbs name: the kinds after 给予/对/为, and after 支持/鼓励 unless
    those then act for a receiver (鼓励银行…，为科研机构… names 科研机构; 鼓励高校优先向中小微企业
    转移 names 中小微企业); 支持企业与高校联合… names 企业 (高校 is its partner). None when no
    verb takes a kind, for the older actor rules to decide."""
    # a supported kind that then gives (支持高校院所向社会开放…) or is urged to spend its own
    # effort (鼓励企业加大投入) is the doer
    every = _runs_after(_SUPPORT_VERBS, sentence, found)
    supported = [(at, run) for at, run in every
                 if not _GIVES.match(sentence[run[-1][2]:]) and not _urged_to_set_up(sentence, at, run)]
    receivers = _runs_after(_RECEIVER_VERBS, sentence, found)
    # 向 X receives only in the clause of a supporting verb (推进成果向企业流动 names no one)
    receivers += [(at, run) for at, run in _runs_after(_TOWARD, sentence, found)
                  if any(_clause_end(sentence, v) == _clause_end(sentence, at) and v < at for v, _ in supported)]
    named = {k for _, run in receivers for k, _, _ in run}
    for at, run in supported:
        acts_for = any(r > at and (sentence[r] != "向" or _clause_end(sentence, at) == _clause_end(sentence, r))
                       and any(k != PROJECTS for k, _, _ in got) for r, got in receivers)
        if not acts_for:
            named.update(k for k, _, _ in run)
    return named if named or every or receivers else None


# a kind right after 支持/鼓励/对/给予 receives, whatever follows it
_SUPPORTED_BEFORE = re.compile(r"(?:支持|鼓励|对|给予|向|为|帮助|引导)[^，。；]{0,8}$")
_SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}：\n]+[{SENTENCE_ENDS}：]?")  # a colon also ends a measure


def measures_of(text: str, kind: str = "") -> list[Measure]:
    """Every measure of a clause; a table row's task cells are read sentence by sentence, its
    department and schedule cells are who acts and when, not measures."""
    if kind == "table_row":
        text = "。".join(cell.split(": ", 1)[-1] for cell in text.split(" | ") if not _DUTY_COLUMN.match(cell))
    out: list[Measure] = []
    lead: tuple[str, ...] = ()  # the beneficiaries of a sentence ending in "：", for its items
    for sentence in _SENTENCE.findall(text):
        parts = directives(sentence.strip())
        inherited = lead if _ITEM.match(sentence.strip()) else ()
        if not inherited and out and _REFERS_BACK.search(sentence):  # …收入留归本单位: the unit just named
            inherited = out[-1].beneficiaries
        measures = [m for m in (measure_of(part, inherited, sentence.strip() if len(parts) > 1 else "")
                                for part in parts) if m is not None]
        out.extend(measures)
        measure = measures[-1] if measures else None
        if sentence.rstrip().endswith(("：", ":")):
            lead = measure.beneficiaries if measure else ()
        elif not _ITEM.match(sentence.strip()):
            lead = ()
    return out


# a comma before a new directive (…，鼓励…，支持…) starts another measure of the same sentence
_NEW_DIRECTIVE = re.compile(r"[，,](?=(?:大力|积极|进一步|同时)?(?:鼓励|支持|引导|扶持|落实|加大|推动|推进|激励|吸引|"
                            r"完善|建立|设立|开展|发挥|提升)[^，,]{2})")


def directives(sentence: str) -> list[str]:
    """The parts of a sentence that each give one directive (落实…奖励政策，鼓励…，引导…针对科研机构…);
    a part naming no kind is the means of the next (运用…贷款贴息等方式，支持一批…项目)."""
    out: list[str] = []
    means = ""
    for part in (p for p in _NEW_DIRECTIVE.split(sentence) if p.strip()):
        if not kinds_in(part):
            means += part + "，"
            continue
        if out and not means and not _receivers_named(part):
            out[-1] += "，" + part
            continue
        out.append(means + part)
        means = ""
    return out + ([means.rstrip("，")] if means else [])


_REFERS_BACK = re.compile(r"本单位|该单位|本机构|该机构")
_ITEM = re.compile(r"^(?:（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|\d+[.．、])")
_DUTY_COLUMN = re.compile(r"^(?:序号|责任|牵头|配合|时间|完成时限|进度)")


def measures_json(text: str, kind: str = "") -> str:
    return json.dumps([asdict(m) for m in measures_of(text, kind)], ensure_ascii=False, separators=(",", ":"))


def measures_from_json(text: str) -> list[Measure]:
    return [Measure(**{k: tuple(v) if isinstance(v, list) else v for k, v in m.items()})
            for m in json.loads(text or "[]")]


def lineage(kind: str) -> list[str]:
    """A kind and the kinds above it: 高新技术企业 → [高新技术企业, 企业]."""
    out = [kind]
    while KINDS.get(out[-1], ((), ""))[1]:
        out.append(KINDS[out[-1]][1])
    return out


def applicant_kind(text: str) -> str:
    """The applicant kind a question names (the most specific), Chinese or English; "" if none."""
    found = kinds_in(text)
    if found:
        return max(found, key=lambda k: (len(lineage(k[0])), k[2] - k[1]))[0]
    lowered = text.lower()
    for name in sorted(ENGLISH_KINDS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}s?\b", lowered):
            return ENGLISH_KINDS[name]
    return ""
