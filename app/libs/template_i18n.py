"""Templates translated when they are compiled, once per language.

A page asks for 30 to 90 messages (``_('…')`` in its templates), and each
one went through Jinja's call machinery twice, Flask-Babel's lookup of the
request's translations, the catalogue and a format -- a sixth of a simple
page's cost. A message is a constant string, so its translation is known as
soon as the language is: each language gets its own copy of the Jinja
environment (``Environment.overlay``: same loader, globals and filters, its
own compiled templates), and its templates are compiled with every
``_('constant', name=value)`` already replaced by the translated text -- the
same Markup and ``%`` formatting the i18n extension applies at run time.

Anything that is not that plain shape (``ngettext``, a message held in a
variable, ``{% trans %}``) is left as it was and translated at run time, as
is every template rendered with no language known (outside a request).
"""
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

GETTEXT_NAMES = frozenset({"_", "gettext"})


class FoldMessages(NodeTransformer):
    """Replace each plain ``_('constant', …)`` call by its translation."""

    def __init__(self, translations):
        self.translations = translations

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES and node.node.ctx == "load"
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        text = self.translations.ugettext(node.args[0].value)
        if not node.kwargs:  # the i18n extension formats even without variables: '%%' becomes '%'
            return nodes.MarkSafeIfAutoescape(nodes.Const(text % {}), lineno=node.lineno)
        variables = nodes.Dict([nodes.Pair(nodes.Const(kw.key), kw.value, lineno=kw.lineno) for kw in node.kwargs],
                               lineno=node.lineno)
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno), variables,
                         lineno=node.lineno)


class TranslatedEnvironment(Environment):
    """Flask's Jinja environment that loads each template from the copy of
    the environment for the current language."""

    language = None  # set on each language's copy
    _messages = None  # that copy's translations

    def _load_template(self, name, globals):
        if self.language is None:
            language = self._current_language()
            if language is not None:
                return self.for_language(language)._load_template(name, globals)
        return super()._load_template(name, globals)

    @staticmethod
    def _current_language() -> str | None:
        try:
            locale = get_locale()
        except RuntimeError:  # no app context
            return None
        return str(locale) if locale is not None else None

    def for_language(self, language: str) -> "TranslatedEnvironment":
        """The copy of this environment for ``language`` (made on first use,
        while that language is the current one)."""
        copies = self.__dict__.setdefault("_copies", {})
        copy = copies.get(language)
        if copy is None:
            copy = self.overlay()
            copy.language = language
            copy._messages = get_translations()
            copy.__dict__["_copies"] = None
            copies[language] = copy
        return copy

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        if self._messages is not None:
            tree = FoldMessages(self._messages).visit(tree)
        return tree
