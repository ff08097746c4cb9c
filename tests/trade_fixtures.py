"""Fixtures for the gift, wish and home-page tests; import the ones a module uses.

``app`` replaces conftest's: the same fresh app and database, but mail that
has no SMTP server is written to a temporary outbox instead of instance/.
"""
import pytest
from sqlalchemy import func, select

from app.models.base import db
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.gift import Gift
from app.models.user import User
from app.models.wish import Wish
from tests.helpers import isbn13, login_client, make_user

SANTI = "9787536692930"       # 三体, 刘慈欣, 重庆出版社
SANTI2 = "9787536693968"      # 三体Ⅱ
HUOZHE = "9787506365437"      # 活着, 余华, 作家出版社
BAINIAN = "9787544253994"     # 百年孤独
UNKNOWN = isbn13("978711111111")  # valid, but no book source knows it
INVALID = "9787536692931"     # wrong check digit
DUPLICATE = "这本书已添加至你的赠送清单或已存在于你的心愿清单，请不要重复添加"


@pytest.fixture
def app(app_factory, tmp_path):
    """A fresh app whose unsent mail goes to a temporary outbox."""
    app = app_factory(OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        yield app


@pytest.fixture
def alice(app, books):
    """爱丽丝; the sample books are in the catalog."""
    return make_user("爱丽丝", "alice@example.com")


@pytest.fixture
def bob(app, books):
    """鲍勃; the sample books are in the catalog."""
    return make_user("鲍勃", "bob@example.com")


@pytest.fixture
def as_alice(app, alice):
    return login_client(app, alice)


@pytest.fixture
def as_bob(app, bob):
    return login_client(app, bob)


def snapshot() -> dict:
    """Every gift, wish, ledger row and balance, deleted rows included, so a
    test can assert that a refused request changed nothing."""
    db.session.expire_all()
    every = {"include_deleted": True}
    rows = lambda model, *cols: db.session.execute(  # noqa: E731
        select(*cols).order_by(model.id).execution_options(**every)).all()
    return {
        "gifts": rows(Gift, Gift.id, Gift.uid, Gift.isbn, Gift.launched, Gift.status),
        "wishes": rows(Wish, Wish.id, Wish.uid, Wish.isbn, Wish.launched, Wish.status),
        "ledger": rows(BeanLedger, BeanLedger.id, BeanLedger.uid, BeanLedger.delta),
        "users": rows(User, User.id, User.beans, User.wish_alerts),
    }


def beans_of(user) -> tuple:
    """(balance, ledger sum) of a user, read fresh from the database."""
    db.session.expire_all()
    return db.session.get(User, user.id).beans, ledger_sum(user.id)


def live(model, **where) -> list:
    """Live rows of ``model`` matching ``where``, oldest first."""
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where).order_by(model.id)).all()


def count_all(model) -> int:
    """Rows of ``model``, deleted ones included."""
    return db.session.scalar(select(func.count()).select_from(model)
                             .execution_options(include_deleted=True))


def text_of(resp) -> str:
    return resp.get_data(as_text=True)
