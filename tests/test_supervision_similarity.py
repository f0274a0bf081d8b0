"""The near-duplicate algorithm as a pure function: rephrased duplicates found, different matters not,
and clusters formed from pairs."""
from __future__ import annotations

import random

import numpy as np
import pytest

from oversight.supervision import similarity
from oversight.supervision.workflow import TRANSITIONS, AlertAction, AlertState, available_actions, next_state
from oversight.errors import InvalidTransition

PAIRS = [  # (original, rephrased): the same matter in other words
    ("某小区消防通道长期被车辆占用，物业不管，存在严重安全隐患，请求检察机关督促整改。",
     "反映：某小区的消防通道长期被车辆占用,物业不管理,存在严重的安全隐患,请检察机关督促整改!"),
    ("某河道有企业非法排污，河水发黑发臭，附近居民反映多次无果。",
     "某河道被企业非法排污，河水发黑发臭，周边居民多次反映都没有结果。"),
    ("某镇政府违规占用基本农田建设厂房，村民多次举报未得到处理。",
     "举报某镇政府违规占用基本农田建厂房，村民多次举报，至今未处理。"),
    ("某景区违规收取停车费和卫生费，游客投诉后仍未退还。",
     "某景区违规收取停车费、卫生费，游客投诉以后一直没有退还。"),
]
DIFFERENT = [
    "某企业拖欠农民工工资三个月，劳动监察部门未处理。",
    "学校周边小卖部向未成年人出售烟酒，市场监管部门未查处。",
    "某养老机构以投资为名骗取老人钱财，涉案金额较大。",
    "某区法院一起执行案件拖延两年未执行到位。",
    "某小区物业擅自提高物业费标准，业主不满。",
    "某化工厂夜间偷排废气，周边居民出现呼吸道不适。",
]


def test_rephrased_duplicates_are_found_and_different_matters_are_not():
    items = []
    for n, (a, b) in enumerate(PAIRS):
        items += [(100 + 2 * n, a), (101 + 2 * n, b)]
    items += [(200 + n, t) for n, t in enumerate(DIFFERENT)]
    found = similarity.near_duplicates(items, threshold=0.4)
    assert [(a, b) for a, b, _s in found] == [(100 + 2 * n, 101 + 2 * n) for n in range(len(PAIRS))]
    assert all(0.4 <= s <= 1 for _a, _b, s in found)


def test_nothing_found_among_different_texts_even_at_a_low_threshold():
    assert similarity.near_duplicates(list(enumerate(DIFFERENT)), threshold=0.3) == []


def test_identical_and_punctuation_only_differences_score_one():
    text = "某小区消防通道长期被车辆占用。"
    found = similarity.near_duplicates([(1, text), (2, " 某小区消防通道，长期被车辆占用！ "), (3, "")], threshold=0.9)
    assert found == [(1, 2, 1.0)]


def test_found_among_many_unrelated_texts_across_batches():
    rng = random.Random(7)
    alphabet = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
    items = [(i, "".join(rng.choice(alphabet) for _ in range(60))) for i in range(3000)]
    items += [(5000, PAIRS[0][0]), (5001, PAIRS[0][1])]
    found = similarity.near_duplicates(items, threshold=0.5, batch=700)
    assert [(a, b) for a, b, _s in found] == [(5000, 5001)]


def test_band_keys_are_deterministic_and_empty_texts_match_nothing():
    h = similarity.Hasher()
    one, two = h.band_keys(["某河道排污", "", ""]), h.band_keys(["某河道排污", "", ""])
    assert np.array_equal(one, two)
    assert not set(one[1]) & set(one[2])
    with pytest.raises(ValueError):
        similarity.Hasher(permutations=50, bands=20)


def test_clusters_join_chains():
    assert similarity.clusters([(1, 2, 0.9), (2, 3, 0.8), (7, 9, 0.7)]) == [[1, 2, 3], [7, 9]]


@pytest.mark.parametrize("state", list(AlertState))
@pytest.mark.parametrize("action", list(AlertAction))
def test_alert_state_table(state, action):
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) is TRANSITIONS[(state, action)]
        assert action in available_actions(state)
    else:
        with pytest.raises(InvalidTransition):
            next_state(state, action)
        assert action not in available_actions(state)
