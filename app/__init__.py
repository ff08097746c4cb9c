"""The fisher application factory."""
import os
import secrets
import tempfile

from flask import Flask
from sqlalchemy import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from app import models  # noqa: F401  (every table on the metadata)
from app.database import engine_options
from app.libs.beans import beans_filter
from app.libs.display_time import register_filters as register_time_filters
from app.spider import source_names
from app.libs.site_url import resolve_site_url, site_url_for, trusted_hosts
from app.libs.template_i18n import TranslatedEnvironment
from app.request import FisherRequest
from app.security import check_secret_key, init_security
from app.web._page_cache_gate import PageCacheGate
from app.extensions import babel, bootstrap, cache, csrf, limiter, login_manager, mail, migrate
from app.models.base import db


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: public settings from ``app/config.py``, then secrets
    from ``instance/secure.py`` and ``FISHER_*`` environment variables -- or,
    for tests, ``test_config`` alone on top of the public settings."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = FisherRequest
    app.jinja_environment = TranslatedEnvironment  # templates compiled once per language
    app.config.from_object("app.config")
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        _ensure_secret_file(app.instance_path)
        app.config.from_pyfile("secure.py")
        app.config.from_prefixed_env("FISHER")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "fisher.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    source_names(app.config)  # an unknown book source stops the start, not a later search
    app.config["SITE_URL"] = resolve_site_url(app.config)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["SITE_URL"], app.config["TRUSTED_HOSTS"])
    app.add_template_global(site_url_for)
    app.add_template_filter(beans_filter, "beans")
    register_time_filters(app)  # |datetime |date |time_ago |time_left, in the reader's zone

    if app.config["PROXY_FIX"]:
        # Behind nginx: trust one proxy for the client address and scheme --
        # never for the host, which only SITE_URL and TRUSTED_HOSTS decide.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    check_secret_key(app)
    init_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    # Outermost: a visitor's cached page is answered before Flask runs.
    app.wsgi_app = PageCacheGate(app.wsgi_app, app)
    return app


def _ensure_secret_file(instance_path: str) -> None:
    """Create instance/secure.py with a random SECRET_KEY on first start."""
    path = os.path.join(instance_path, "secure.py")
    if os.path.exists(path):
        return
    # Written whole to a private temporary file, then linked into place: a
    # process starting at the same moment (several gunicorns on one instance
    # folder) either links first or finds the complete file of the one that did.
    fd, partial = tempfile.mkstemp(dir=instance_path, prefix=".secure-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("# Generated on first start; keep it out of version control.\n")
            fh.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(partial)


def _create_private_sqlite_file(uri: str) -> None:
    """Create a new SQLite database file 0600 before SQLite would create it
    world-readable; SQLite gives its -wal and -shm files the same mode. An
    existing file is left as the operator made it."""
    path = make_url(uri).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if os.path.exists(path) or not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # empty: a new database
    except FileExistsError:  # created a moment ago by another process
        pass


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app.i18n import LANGUAGES, html_lang, page_locale, select_locale, select_timezone
    from app.libs.request_domain import install_template_gettext
    from app.web._fragments import KeptExtension
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app.jinja_env)
    app.jinja_env.add_extension(KeptExtension)
    app.jinja_env.globals.update(html_lang=html_lang, page_locale=page_locale, languages=LANGUAGES)


def register_blueprints(app: Flask) -> None:
    from app.api.v1 import api_v1
    from app.api.yushu import yushu_api
    from app.web import web
    from app.web._converters import IdConverter

    app.url_map.converters["id"] = IdConverter  # before the routes that use it
    app.register_blueprint(web)
    app.register_blueprint(yushu_api)
    csrf.exempt(api_v1)  # only a Bearer token authenticates it (app/api/auth), never a cookie
    app.register_blueprint(api_v1)


def register_commands(app: Flask) -> None:
    from app.cli import catalog_cli, covers_cli, drifts_cli, jobs_cli, mail_cli
    from app.cli_books import books_cli
    from app.cli_legacy import legacy_cli

    for group in (books_cli, catalog_cli, covers_cli, drifts_cli, jobs_cli, legacy_cli, mail_cli):
        app.cli.add_command(group)
