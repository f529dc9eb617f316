"""Values in pounds as councils write them in tender tables."""

import re
from decimal import Decimal, InvalidOperation


def parse_money(raw: str) -> Decimal | None:
    """One amount: "£150,000", "150k" or "1.2m"; None when blank."""
    text = raw.replace("£", "").replace(",", "").replace(" ", "").lower()
    if not text:
        return None
    multiplier = 1
    if text.endswith(("k", "m")):
        multiplier = 1000 if text[-1] == "k" else 1_000_000
        text = text[:-1]
    try:
        amount = Decimal(text) * multiplier
    except InvalidOperation:
        raise ValueError(
            'Write an amount in pounds, such as "£150,000", "150k" or "1.2m".'
        ) from None
    if amount < 0 or amount >= Decimal("1e12") or amount != amount:
        raise ValueError("The amount is out of range.")
    return amount.quantize(Decimal("0.01"))


def parse_money_range(raw: str) -> tuple[Decimal | None, Decimal | None]:
    """One amount or a range ("£100k - £200k") as (from, to)."""
    parts = re.split(r"\s*(?:-|\u2013|\u2014|\bto\b)\s*", raw, maxsplit=1)
    low = parse_money(parts[0])
    high = parse_money(parts[1]) if len(parts) > 1 else low
    return low, high
