"""How an amount of beans (鱼豆) is written, everywhere it is shown."""
from decimal import Decimal

_TENTH = Decimal("0.1")


def beans_text(amount, signed: bool = False) -> str:
    """``0.5 个鱼豆``, ``1 个鱼豆`` (never ``1.0``); with ``signed`` a gain
    reads ``+1 个鱼豆`` and a loss ``-0.5 个鱼豆``."""
    value = Decimal(str(amount)).quantize(_TENTH)
    number = f"{value:f}".removesuffix(".0")
    if number == "-0":
        number = "0"
    if signed and value > 0:
        number = "+" + number
    return f"{number} 个鱼豆"
