"""Extension objects, created unbound and initialised in ``create_app``."""
from flask_bootstrap import Bootstrap5
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from app.models.base import db

migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
bootstrap = Bootstrap5()

__all__ = ["db", "migrate", "csrf", "bootstrap"]
