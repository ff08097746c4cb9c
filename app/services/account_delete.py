"""Deleting an account (注销账号): one unit of work that anonymises it.

The user row stays -- drifts, gifts already given and the bean ledger point
at it, and the other party's history must keep making sense (a drift keeps
its own snapshot of both nicknames and the book) -- but nothing left in it
names the person or lets anyone in again:

- nickname and email become placeholders unique by id (已注销用户 #<id>,
  deleted-<id>@invalid), so the old email can register anew and a reset
  request for it finds no account;
- the password becomes a value no password hash check accepts;
- every notice mail is switched off, locale and time zone forgotten;
- session_generation is bumped: every session and remember-me cookie ends;
- every API token is revoked, every saved address blanked and removed, and
  this user's mailing details on closed drifts erased now rather than after
  ADDRESS_RETENTION_DAYS;
- gifts and wishes still on the lists are withdrawn (the ones that became
  trades stay: they are the trades' history).

Refused while a drift of the user is open (either side): the other party is
waiting on it; the message names each one.

Beans: withdrawing a gift normally takes back the beans listing it earned
and records the rest as a debt (lists.withdraw_gift). Here no bean is taken
back and no debt is recorded: the account can never earn, spend or repay
again, so a debt would be a claim on nobody and taking beans would only add
ledger rows that mean nothing. The balance stays as it was, equal to the
ledger's sum, and the ledger is kept untouched.
"""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import or_, select, update

from app.libs.enums import OPEN_STATES
from app.models.api_token import ApiToken
from app.models.base import DELETED, LIVE, db
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import UNUSABLE_PASSWORD, User, lock_user_rows
from app.models.wish import Wish
from app.services import addresses, page_versions
from app.services.errors import Refused
from app.services.notices import MAIL_GROUP_KEYS

def placeholder_nickname(uid: int) -> str:
    return f"已注销用户 #{uid}"


def placeholder_email(uid: int) -> str:
    return f"deleted-{uid}@invalid"


def open_drifts(user: User) -> list[Drift]:
    """The drifts still running where ``user`` is requester or gifter."""
    return list(db.session.scalars(select(Drift).where(
        or_(Drift.requester_id == user.id, Drift.gifter_id == user.id),
        Drift.pending.in_([int(s) for s in OPEN_STATES])).order_by(Drift.id)))


def describe(drifts: list[Drift], uid: int) -> str:
    """"《三体》（与 鲍勃）、…" in the reader's language."""
    return _("、").join(
        _("《%(title)s》（与 %(name)s）", title=d.book_title,
          name=d.gifter_nickname if d.requester_id == uid else d.requester_nickname)
        for d in drifts)


@retry_on_deadlock
def delete_account(user: User, password: str) -> None:
    """Anonymise ``user`` after checking ``password``. Refused for a wrong
    password or while a drift is open (checked again under the row lock, so
    a request arriving meanwhile cannot slip in)."""
    if not user.check_password(password or ""):
        raise Refused(_l("密码不正确"))
    uid = user.id
    with db.auto_commit():
        lock_user_rows(uid)
        held = open_drifts(user)
        if held:
            raise Refused(_("你还有进行中的鱼漂：%(drifts)s。请先完成、拒绝或撤回这些交易，再注销账号",
                            drifts=describe(held, uid)))
        page_versions.touch_user(uid)  # the pages naming them, before their gifts and wishes go
        for model in (Gift, Wish):  # bulk: the soft-delete rule is restated by hand
            db.session.execute(update(model).where(model.uid == uid, model.launched.is_(False),
                                                   model.status == LIVE)
                               .values(status=DELETED).execution_options(synchronize_session=False))
        db.session.execute(update(ApiToken).where(ApiToken.uid == uid, ApiToken.status == LIVE)
                           .values(status=DELETED).execution_options(synchronize_session=False))
        addresses.erase_all(uid)
        db.session.execute(update(Drift).where(Drift.requester_id == uid, Drift.address_erased.is_(False))
                           .values(recipient_name="", mobile="", address="", message="", address_erased=True)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(User).where(User.id == uid).values({
            User.nickname: placeholder_nickname(uid), User.email: placeholder_email(uid),
            User._password: UNUSABLE_PASSWORD, User.mail_off: ",".join(sorted(MAIL_GROUP_KEYS)),
            User.locale: None, User.timezone: None,
            User.session_generation: User.session_generation + 1,
        }).execution_options(synchronize_session=False))
    db.session.expire_all()
