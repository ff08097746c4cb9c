"""How an amount of beans (鱼豆) is written, everywhere it is shown."""
from decimal import Decimal

from flask_babel import ngettext

_TENTH = Decimal("0.1")


def beans_text(amount, signed: bool = False) -> str:
    """``0.5 个鱼豆``, ``1 个鱼豆`` (never ``1.0``); with ``signed`` a gain
    reads ``+1 个鱼豆`` and a loss ``-0.5 个鱼豆``. In the page's language
    (English: ``1 bean``, ``0.5 beans``)."""
    value = Decimal(str(amount)).quantize(_TENTH)
    number = f"{value:f}".removesuffix(".0")
    if number == "-0":
        number = "0"
    if signed and value > 0:
        number = "+" + number
    count = 1 if abs(value) == 1 else 2  # the plural form to use; the text shows ``number``
    return ngettext("%(amount)s 个鱼豆", "%(amount)s 个鱼豆", count, amount=number)
