"""Every change of a user's beans, so the balance can always be explained."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.libs.enums import N_  # labels are message ids, translated where shown
from app.models.base import SoftDeleteMixin, db
from app.models.user import User


class BeanReason:
    """Why beans changed: the value stored in ``BeanLedger.reason`` and its label."""
    LIST_GIFT = "list_gift"
    WITHDRAW_GIFT = "withdraw_gift"
    REQUEST = "request"
    REFUND_REJECT = "refund_reject"
    REFUND_WITHDRAW = "refund_withdraw"
    REFUND_EXPIRED = "refund_expired"
    REFUND_GIVEN_TO_OTHER = "refund_given_to_other"
    REFUND_PROBLEM = "refund_problem"
    MAILED_REWARD = "mailed_reward"  # rows from before a trade waited for receipt
    RECEIVED_REWARD = "received_reward"
    REPAY_DEBT = "repay_debt"
    LEGACY_OPENING = "legacy_opening"  # the balance brought over from an original 鱼书 database

    LABELS = {
        LIST_GIFT: N_("加入赠送清单"), WITHDRAW_GIFT: N_("撤回赠书"), REQUEST: N_("请求书籍"),
        REFUND_REJECT: N_("对方拒绝，退还"), REFUND_WITHDRAW: N_("撤回请求，退还"),
        REFUND_EXPIRED: N_("请求过期，退还"), REFUND_GIVEN_TO_OTHER: N_("书已送给别人，退还"),
        REFUND_PROBLEM: N_("未能收到，退还"), MAILED_REWARD: N_("赠书成功奖励"),
        RECEIVED_REWARD: N_("赠书成功奖励"), REPAY_DEBT: N_("抵扣撤回赠书时欠下的鱼豆"),
        LEGACY_OPENING: N_("旧版鱼书的鱼豆余额"),
    }


class BeanLedger(SoftDeleteMixin, db.Model):
    __tablename__ = "bean_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delta: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    reason: Mapped[str] = mapped_column(String(32))
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("gift.id"), nullable=True)
    drift_id: Mapped[int | None] = mapped_column(ForeignKey("drift.id"), nullable=True)


def change_beans(uid: int, delta, reason: str, gift_id=None, drift_id=None) -> bool:
    """Add ``delta`` to a user's beans and record it, in the caller's unit of
    work. The update is one conditional statement, so the balance can never go
    negative even under concurrent requests; returns False (and changes
    nothing) when it would. It also locks the user's row until commit, so a
    unit of work changing several users' beans first locks them all with
    ``lock_user_rows`` (ascending id), never one by one in its own order."""
    delta = Decimal(str(delta))
    if delta > 0:
        return _credit(uid, delta, reason, gift_id, drift_id)
    return _apply(uid, delta, reason, gift_id, drift_id)


def _apply(uid: int, delta: Decimal, reason: str, gift_id, drift_id) -> bool:
    result = db.session.execute(
        update(User).where(User.id == uid, User.beans + delta >= 0)
        .values(beans=User.beans + delta).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.add(BeanLedger(uid=uid, delta=delta, reason=reason, gift_id=gift_id, drift_id=drift_id))
    db.session.flush()
    user = db.session.identity_map.get(db.session.identity_key(User, uid))
    if user is not None:
        db.session.expire(user, ["beans", "bean_debt"])  # the loaded balance is stale now
    return True


def _credit(uid: int, delta: Decimal, reason: str, gift_id, drift_id) -> bool:
    """A credit pays the user's bean debt first: both moves are ledger rows."""
    _apply(uid, delta, reason, gift_id, drift_id)
    debt = db.session.scalar(select(User.bean_debt).where(User.id == uid)) or Decimal("0")
    repay = min(debt, delta)
    if repay > 0:
        db.session.execute(update(User).where(User.id == uid)
                           .values(bean_debt=User.bean_debt - repay)
                           .execution_options(synchronize_session=False))
        _apply(uid, -repay, BeanReason.REPAY_DEBT, gift_id, drift_id)
    return True


def take_back(uid: int, amount, reason: str, gift_id=None) -> Decimal:
    """Take ``amount`` beans back as far as the balance allows and record the
    rest as debt, so earning beans and handing them back can never net a gain.
    Returns how much was taken now."""
    amount = Decimal(str(amount))
    balance = db.session.scalar(select(User.beans).where(User.id == uid)) or Decimal("0")
    taken = min(balance, amount)
    if taken > 0:
        _apply(uid, -taken, reason, gift_id, None)
    if amount > taken:
        db.session.execute(update(User).where(User.id == uid)
                           .values(bean_debt=User.bean_debt + (amount - taken))
                           .execution_options(synchronize_session=False))
    return taken


def ledger_sum(uid: int) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(BeanLedger.delta), 0))
                             .where(BeanLedger.uid == uid)) or Decimal("0")
