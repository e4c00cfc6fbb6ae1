"""Masking of identifiers patients should never have typed into a chat.

A message is stored and shown to staff with HKID, payment card, passport and bank account
numbers masked: the clinic never needs them in WhatsApp, and a leaked inbox must not leak them.
Phone numbers, dates and times are left alone; staff need those.
"""

from __future__ import annotations

import re

# HKID: one or two letters, six digits, a check character (0-9 or A), often in brackets.
_HKID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})[ ]?(\d{6})[ ]?(?:\([ ]?([0-9Aa])[ ]?\)|([0-9Aa]))?(?![A-Za-z0-9])")
# Without its check character "A123456" is only an HKID when the patient says so.
_HKID_CONTEXT = re.compile(r"身份證|身分證|hkid|hk id|id card|identity card|證件", re.IGNORECASE)
# 4-4-4-(1..7) groups, Amex 4-6-5, or 13-19 digits in a row; Luhn decides.
_CARD = re.compile(r"(?<![\d-])(?:(?:\d{4}[ -]?){3}\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{5}|\d{13,19})(?![\d-])")
# HKSAR passports: H or K and eight digits, a shape no phone number has.
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[HKhk]\d{8}(?![A-Za-z0-9])")
# Bank accounts look like anything, so only digits right after the words for one.
_BANK = re.compile(
    r"(?:account|a/c|acc(?:ount)? no\.?|戶口|賬戶|帳戶|戶口號碼)\s*(?:number|no\.?|號碼|:|：)?\s*[:：]?\s*"
    r"(\d[\d -]{7,20}\d)",
    re.IGNORECASE,
)


def mask_identifiers(text: str) -> tuple[str, list[str]]:
    """Return the text with sensitive identifiers masked, and the kinds found in order."""
    try:
        return _mask(text)
    except Exception:  # noqa: BLE001 - on a surprise, mask every digit rather than fail or leak
        return re.sub(r"\d", "*", str(text)), ["unknown"]


def _mask(text: str) -> tuple[str, list[str]]:
    kinds: list[str] = []

    def found(kind: str, masked: str) -> str:
        if kind not in kinds:
            kinds.append(kind)
        return masked

    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        if not 13 <= len(digits) <= 19 or not _luhn(digits):
            return match.group()
        return found("card", "**** **** **** " + digits[-4:])

    def hkid(match: re.Match) -> str:
        letters, digits, bracketed, bare = match.groups()
        check = bracketed or bare
        if bracketed:
            pass  # "A123456(7)" is written as an HKID: mask it even if mistyped
        elif bare and not _hkid_valid(letters, digits, bare):
            return match.group()
        elif not check and not _HKID_CONTEXT.search(text):
            return match.group()
        return found("hkid", letters.upper() + "******(*)")

    def passport(match: re.Match) -> str:
        return found("passport", match.group()[0].upper() + "********")

    def bank(match: re.Match) -> str:
        number = match.group(1)
        if len(re.sub(r"\D", "", number)) < 9:
            return match.group()
        return found("bank_account", match.group().replace(number, "*" * (len(number) - 3) + number[-3:]))

    text = _CARD.sub(card, text)
    text = _PASSPORT.sub(passport, text)
    text = _HKID.sub(hkid, text)
    text = _BANK.sub(bank, text)
    return text, kinds


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _hkid_valid(letters: str, digits: str, check: str) -> bool:
    """The HKID check: weights 9..2 over the (space-padded) letters and digits, mod 11."""
    values = [36] if len(letters) == 1 else []  # a single letter is padded with a space (36)
    values += [ord(c) - ord("A") + 10 for c in letters.upper()] + [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    check_value = 10 if check.upper() == "A" else int(check)
    return (total + check_value) % 11 == 0
