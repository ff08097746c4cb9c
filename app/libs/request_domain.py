"""Flask-Babel's message domain, with each request's translations looked up
once instead of on every message.

Flask-Babel's own ``Domain.get_translations`` finds the request's locale and
turns it into a string key for every ``_()`` in the code and the templates --
a page of 30 book cards asks it some 200 times. Here the translations found
are kept beside the locale object they belong to (``g._flask_babel``), and
reused while that object is still the request's locale: ``force_locale`` and
``refresh`` replace the object, so a switched language is never served the
old catalogue.
"""
from flask import g
from flask_babel import Babel, Domain, get_translations
from flask_babel import _get_current_context


class RequestDomain(Domain):
    def get_translations(self):
        ctx = _get_current_context()
        if ctx is not None:
            locale = getattr(ctx, "babel_locale", None)
            kept = getattr(ctx, "fisher_translations", None)
            if locale is not None and kept is not None and kept[0] is locale and kept[1] is self:
                return kept[2]
        translations = super().get_translations()
        if ctx is not None:
            ctx.fisher_translations = (getattr(ctx, "babel_locale", None), self, translations)
        return translations


class RequestBabel(Babel):
    """Flask-Babel whose default domain is a ``RequestDomain``."""

    @property
    def domain_instance(self):
        domain = self.__dict__.get("_request_domain")
        if domain is None:
            domain = self.__dict__["_request_domain"] = RequestDomain(domain=self.domain)
        return domain


def current_translations():
    """The request's translations as ``RequestDomain`` keeps them, found with
    one look at ``g`` -- the templates ask for every message they show, and
    Flask-Babel's own path looks the request's context up four times a call.
    Anything less certain (nothing kept yet, a locale forced since) takes
    Flask-Babel's path."""
    try:
        ctx = g._flask_babel
        kept = ctx.fisher_translations
        if kept[0] is ctx.babel_locale and kept[1] is ctx.babel_domain:
            return kept[2]
    except (AttributeError, RuntimeError):  # nothing kept yet; outside an app context
        pass
    return get_translations()


def install_template_gettext(env) -> None:
    """The templates' ``_``, ``gettext`` and ``ngettext`` through
    ``current_translations`` (what Flask-Babel installs, on the fast path)."""
    env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True)


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` on the fast path (for code that runs per card
    or per row; the same formatting)."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext`` on the fast path (``num`` is also a variable)."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables
