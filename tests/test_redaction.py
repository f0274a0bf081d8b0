"""The redaction check with real-format numbers: valid and invalid ID check digits, numbers inside text,
adjacent digits that must not be taken for a phone or a card."""
from __future__ import annotations

import pytest

from oversight.redaction import (BANK_CARD, EMAIL, ID_CARD, LANDLINE, MOBILE, NAME, find_hits, id_check_digit_ok,
                                 luhn_ok, mask, mask_all, mask_name)

VALID_ID = "11010519491231002X"        # the GB 11643 worked example, check digit X
VALID_ID_2 = "440524188001010014"
INVALID_ID = "110105194912310021"      # same number, wrong check digit


def with_luhn(prefix: str) -> str:
    for d in "0123456789":
        if luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError


def kinds(text, names=()):
    return [(h.kind, h.text) for h in find_hits(text, names)]


def test_id_check_digit():
    assert id_check_digit_ok(VALID_ID) and id_check_digit_ok(VALID_ID.lower()) and id_check_digit_ok(VALID_ID_2)
    assert not id_check_digit_ok(INVALID_ID)
    assert not id_check_digit_ok("44052418800101001")


def test_valid_id_inside_chinese_text_is_a_hit():
    assert kinds(f"当事人身份证号{VALID_ID}，住址略。") == [(ID_CARD, VALID_ID)]
    assert kinds(f"证件：{VALID_ID_2}。") == [(ID_CARD, VALID_ID_2)]


def test_invalid_check_digit_is_not_an_id_hit():
    assert all(k != ID_CARD for k, _ in kinds(f"编号{INVALID_ID}"))


def test_id_inside_a_longer_digit_run_is_not_a_hit():
    assert kinds(f"流水号9{VALID_ID_2}7") == []


@pytest.mark.parametrize("text, expected", [
    ("请联系13800138000。", "13800138000"),
    ("电话:19912345678", "19912345678"),
    ("手机138-0013-8000转告", "138-0013-8000"),
    ("手机 138 0013 8000", "138 0013 8000"),
    ("+8613800138000", "+8613800138000"),
    ("联系人张三13800138000李四", "13800138000"),
])
def test_mobile_numbers_inside_text(text, expected):
    assert kinds(text) == [(MOBILE, expected)]


@pytest.mark.parametrize("text", [
    "订单号113800138000",        # a mobile-looking tail of a longer run
    "编号13800138000123",        # a mobile-looking head of a longer run
    "号码12800138000",           # 12x is not a mobile prefix
    "案号2023000138000",
])
def test_no_mobile_inside_longer_digit_runs(text):
    assert [k for k, _ in kinds(text)] == []


@pytest.mark.parametrize("text, expected", [
    ("值班电话023-68881234。", "023-68881234"),
    ("电话010-12345678转123", "010-12345678转123"),
    ("电话(023)68881234", "(023)68881234"),
    ("电话0755-1234567", "0755-1234567"),
])
def test_landlines(text, expected):
    assert kinds(text) == [(LANDLINE, expected)]


def test_email():
    assert kinds("来信请寄zhang.san+x@example.com.cn，谢谢") == [(EMAIL, "zhang.san+x@example.com.cn")]


def test_bank_cards_pass_luhn_only():
    card = with_luhn("621700123456789012")  # 19 digits
    assert kinds(f"账号{card}。") == [(BANK_CARD, card)]
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert kinds(f"账号{wrong}。") == []
    assert kinds("卡号4111 1111 1111 1111") == [(BANK_CARD, "4111 1111 1111 1111")]
    assert kinds("卡号4111111111111111") == [(BANK_CARD, "4111111111111111")]
    assert kinds("20位数字" + with_luhn("6217001234567890123")) == []  # 20 digits: not a card


def test_id_wins_over_luhn_and_nothing_overlaps():
    hits = find_hits(f"{VALID_ID_2} 13800138000 zhang@example.com")
    assert [h.kind for h in hits] == [ID_CARD, MOBILE, EMAIL]


def test_private_names():
    text = "举报人王小明反映，王小明的邻居李四也知情；代表刘某某不在此列。"
    hits = find_hits(text, ["王小明", "李四", " ", None])
    assert [(h.kind, h.text) for h in hits] == [(NAME, "王小明"), (NAME, "王小明"), (NAME, "李四")]
    assert mask(text, hits) == "举报人王某反映，王某的邻居李某也知情；代表刘某某不在此列。"
    assert mask_name("欧阳明月") == "欧阳某"


def test_mask_forms():
    text = f"张三 13800138000 023-68881234 {VALID_ID} zhang@example.com 4111111111111111"
    masked = mask_all(text, ["张三"])
    assert masked == "张某 1380****000 023-****34 110105************ z***@example.com ************1111"
    assert find_hits(masked, ["张三"]) == []


def test_mask_skips_stale_hits():
    hits = find_hits("电话13800138000")
    assert mask("电话13900139000", hits) == "电话13900139000"
