"""Extension objects, created unbound and initialised in ``create_app``."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_bootstrap import Bootstrap5
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from app.libs.request_domain import RequestBabel

babel = RequestBabel()  # translations looked up once per request
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
bootstrap = Bootstrap5()
mail = Mail()
cache = Cache()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message = _l("请先登录或注册")
login_manager.localize_callback = str  # the flash (kept in the session) is the text in the page's language
login_manager.login_message_category = "warning"


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def register_rate_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def wish_import_rate_limit() -> str:
    return current_app.config["WISH_IMPORT_RATE_LIMIT"]


def user_key() -> str:
    """The signed-in account (for limits on what only members do)."""
    from flask_login import current_user
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


__all__ = ["babel", "cache", "migrate", "csrf", "bootstrap", "mail", "limiter", "login_manager",
           "login_rate_limit", "register_rate_limit", "wish_import_rate_limit", "user_key"]
