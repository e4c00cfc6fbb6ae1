"""Masking HKID, card, passport and bank account numbers, and nothing a clinic needs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.sensitive import mask_identifiers


@pytest.mark.parametrize(
    "text",
    ["A123456(3)", "A123456 (3)", "a123456(3)", "A1234563", "G123456(A)", "AB987654(2)", "我身份證號碼係A123456(3)"],
)
def test_an_hkid_is_masked_in_its_usual_spellings(text):
    masked, kinds = mask_identifiers(text)
    assert kinds == ["hkid"]
    assert "123456" not in masked and "987654" not in masked
    assert "******(*)" in masked


def test_a_bracketed_hkid_with_a_wrong_check_digit_is_still_masked():
    masked, kinds = mask_identifiers("HKID: A123456(7)")
    assert (masked, kinds) == ("HKID: A******(*)", ["hkid"])


def test_letters_and_seven_digits_failing_the_hkid_check_are_left_alone():
    assert mask_identifiers("order ref A1234567") == ("order ref A1234567", [])


def test_an_hkid_without_its_check_digit_is_masked_only_when_called_one():
    assert mask_identifiers("身份證 A123456")[1] == ["hkid"]
    assert mask_identifiers("room A123456")[1] == []


@pytest.mark.parametrize(
    "text", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "3782 822463 10005"]
)
def test_a_card_number_passing_luhn_is_masked_to_its_last_four_digits(text):
    masked, kinds = mask_identifiers(f"my card is {text} thanks")
    assert kinds == ["card"]
    assert masked == f"my card is **** **** **** {text[-4:]} thanks"


def test_sixteen_digits_failing_luhn_are_left_alone():
    assert mask_identifiers("4111 1111 1111 1112") == ("4111 1111 1111 1112", [])


@pytest.mark.parametrize(
    "text",
    [
        "call me 9123 4567",
        "+852 9123 4567",
        "+85291234567",
        "電話 91234567 或者 6123-4567",
        "聽日 3/12 10:30 或 2026-12-03 15:00",
        "排到 125 號",
        "我個仔 5 歲, 體重 18.5 kg",
    ],
)
def test_phone_numbers_dates_and_times_are_left_alone(text):
    assert mask_identifiers(text) == (text, [])


def test_a_hk_passport_and_a_bank_account_named_as_one_are_masked():
    masked, kinds = mask_identifiers("passport H12345678, 戶口 012-345678-001")
    assert kinds == ["passport", "bank_account"]
    assert "12345678" not in masked and "345678" not in masked


def test_every_kind_is_reported_once_in_order_of_masking():
    masked, kinds = mask_identifiers("4111111111111111 A123456(3) 5555555555554444 B987654(A)")
    assert kinds == ["card", "hkid"]
    assert masked == "**** **** **** 1111 A******(*) **** **** **** 4444 B******(*)"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_masking_never_raises_and_never_adds_digits(text):
    masked, kinds = mask_identifiers(text)
    assert isinstance(masked, str) and isinstance(kinds, list)
    assert sum(c.isdigit() for c in masked) <= sum(c.isdigit() for c in text)
