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
from flask_babel import Babel, Domain
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
