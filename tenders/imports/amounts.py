"""Values in pounds as councils write them in tender tables.

A council writes "£38m", "£900k", "c. £5m p.a.", "up to £2m", "£1m-£2m" or "TBC".
The amounts are stored when they can be read, and the text as published is kept
for the public pages; a value with no amount in it is kept only if it says the
value is not known yet. Negative amounts are refused.
"""

import re
from decimal import Decimal, InvalidOperation

from ..dates import UNKNOWN

AMOUNT_FORMS = '"£150,000", "150k", "£1.2m", "c. £5m p.a.", "up to £2m", "£1m-£2m"'
NOT_KNOWN = UNKNOWN | {"not known", "to be determined", "varies", "-", "\u2013"}
QUALIFIERS = re.compile(
    r"\b(?:c\.?|ca\.?|circa|approx\.?|approximately|about|around|est\.?|estimated|"
    r"p\.?\s?a\.?|per annum|per year|a year|annually|per\s+annum|total)(?=\s|$|\d|£)",
    re.IGNORECASE,
)
PLAIN = re.compile(r"£?\d[\d,]*(?:\.\d+)?[km]?", re.IGNORECASE)
RANGE = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b)\s*")
# A minus before the first amount ("-5000", "-£5m", "£-5,000"); one between two
# amounts is a range, and a second amount that is negative fails in parse_money.
NEGATIVE = re.compile(r"^\(?[-\u2212]\s*£?\s*\d|£\s*[-\u2212]\s*\d")


def parse_money(raw: str) -> Decimal | None:
    """One amount: "£150,000", "150k" or "1.2m"; None when blank."""
    text = raw.replace("£", "").replace(",", "").replace(" ", "").lower()
    if not text:
        return None
    if text.startswith(("-", "\u2212")):
        raise ValueError("An amount cannot be negative.")
    multiplier = 1
    if text.endswith(("k", "m")):
        multiplier = 1000 if text[-1] == "k" else 1_000_000
        text = text[:-1]
    elif text.endswith("bn"):
        multiplier = 1_000_000_000
        text = text[:-2]
    try:
        amount = Decimal(text) * multiplier
    except InvalidOperation:
        raise ValueError(
            f"Write an amount in pounds, such as {AMOUNT_FORMS}."
        ) from None
    if amount < 0 or amount >= Decimal("1e12") or amount != amount:
        raise ValueError("The amount is out of range.")
    return amount.quantize(Decimal("0.01"))


def parse_money_range(raw: str) -> tuple[Decimal | None, Decimal | None]:
    """One amount or a range ("£100k - £200k") as (from, to)."""
    low, high, _text = parse_value(raw)
    return low, high


def parse_value(raw: str) -> tuple[Decimal | None, Decimal | None, str]:
    """A value cell as (from, to, the text to show), raising ValueError if unreadable.

    The text is kept when it says more than the amounts do ("c. £5m p.a.", "up to
    £2m", "TBC"); for a plain amount or range it is empty.
    """
    if PLAIN.fullmatch(raw):  # most cells: one plain amount, read at once
        amount = parse_money(raw)
        return amount, amount, ""
    text = " ".join(raw.split())
    if not text:
        return None, None, ""
    if text.casefold().strip(".") in NOT_KNOWN:
        return None, None, text
    if NEGATIVE.search(text):
        raise ValueError("An amount cannot be negative.")
    bare = QUALIFIERS.sub(" ", text)
    kept = text if bare.split() != text.split() else ""
    lowered = bare.casefold().strip()
    bound = None
    for word, side in (("up to", "high"), ("from", "low"), ("over", "low")):
        if lowered.startswith(word + " "):
            bound, bare, kept = side, bare.strip()[len(word) :], text
            break
    parts = RANGE.split(bare.strip(" ."), maxsplit=1)
    low = parse_money(parts[0])
    high = parse_money(parts[1]) if len(parts) > 1 else low
    if bound == "high":
        low = None
    elif bound == "low":
        high = None
    return low, high, kept
