"""How an amount of beans (鱼豆) is written, everywhere it is shown."""
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal
from jinja2 import pass_context

from app.libs.request_domain import current_translations

_TENTH = Decimal("0.1")


def beans_text(amount, signed: bool = False) -> str:
    """``0.5 个鱼豆``, ``1 个鱼豆`` (never ``1.0``); with ``signed`` a gain
    reads ``+1 个鱼豆`` and a loss ``-0.5 个鱼豆``. The number is written the
    page language's way (Babel) and the unit is a catalog plural: "1 bean",
    "0.5 beans"."""
    from app.libs.display_time import reader_locale

    # A pure function of the amount, the language and its catalogue: written
    # once each (a page's footer and ledger write the same few amounts).
    return _written(str(amount), signed, reader_locale(), current_translations())


@lru_cache(maxsize=1024)
def _written(amount: str, signed: bool, locale, catalogue) -> str:
    value = Decimal(amount).quantize(_TENTH)
    if value == 0:
        value = Decimal(0)  # never "-0"
    number = format_decimal(value, format="#,##0.#", locale=locale)
    if signed and value > 0:
        number = "+" + number
    # English says "1 bean" only for exactly one; a fraction takes the plural.
    count = abs(int(value)) if value == value.to_integral_value() else 0
    return catalogue.ungettext("%(amount)s 个鱼豆", "%(amount)s 个鱼豆", count) % {"amount": number, "num": count}


@pass_context
def beans_filter(_context, amount, signed: bool = False) -> str:
    """The ``beans`` template filter. Taking the context keeps Jinja from
    folding ``{{ 1|beans }}`` into the compiled template, where it would stay
    in the language of whichever page happened to compile it first."""
    return beans_text(amount, signed)
