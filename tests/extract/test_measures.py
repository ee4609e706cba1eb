"""Measures for applicants read from a sentence's shape: who receives what, on what condition."""
from __future__ import annotations

import pytest

from rag.extract.measures import measure_of
from rag.features.eligibility import verdict


@pytest.mark.parametrize("sentence", [
    "全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神，加大资金投入。",  # no beneficiary
    "各地要将科技成果转移转化工作摆上重要位置，加大资金支持。",  # a duty of 各地
])
def test_a_sentence_without_a_beneficiary_is_no_measure(sentence):
    assert measure_of(sentence) is None


# sentences written for these rules (not from the gold file): who receives, by sentence shape
@pytest.mark.parametrize("sentence, receivers", [
    # a kind inside a modifier is not the head that receives
    ("加大对服务高校成果转化的担保机构的支持力度。", ("金融机构",)),
    # owners before what they own, with the rest of their list
    ("科研机构、高等院校持有的科技成果，成果完成人可以自行实施转化。", ("科研人员",)),
    # a right or a priority granted to the subject of the sentence
    ("高等院校对其持有的专利，可以自主决定转让。", ("高校",)),
    ("技术许可他人实施的，中小微企业优先实施。", ("科技型中小企业",)),
    # the project is what the supported firm does: the firm still receives (the project too)
    ("支持科技企业发行债券为科技成果转化项目融资。", ("科技型中小企业", "项目")),
])
def test_the_receiver_is_read_from_the_sentence_shape(sentence, receivers):
    measure = measure_of(sentence)
    assert measure is not None and measure.beneficiaries == receivers


@pytest.mark.parametrize("sentence", [
    "鼓励高校设置技术经纪人岗位。",  # urged, not backed, to set up its own post: its task
    "鼓励社会力量创办科技服务机构。",  # what another party builds is not backed
    "对完成人给予奖励的支出计入当年本单位工资总额。",  # how a cost is booked
    "项目承担者未实施转化的，主管部门可以终止项目。",  # the department holds the right
])
def test_duties_bookkeeping_and_others_rights_are_no_measures(sentence):
    measure = measure_of(sentence)
    assert measure is None or not measure.beneficiaries


def test_an_offer_naming_no_kind_is_open_to_every_applicant_and_a_sentence_can_refer_back():
    fund = measure_of("省政府设立科技成果转化引导基金，用于成果转化。")
    assert fund is not None and fund.beneficiaries == () and "funding" in fund.benefits
    assert verdict(fund.beneficiaries, fund.conditions, "高校")[0] == "needs checking"
    from rag.extract.measures import measures_of

    kept = measures_of("高等院校可以自主决定转化其科技成果。科技成果转化收入留归本单位。")
    assert [m.beneficiaries for m in kept] == [("高校",), ("高校",)] and "equity" in kept[1].benefits
