"""Enumerations shared by models and views."""
from enum import Enum, IntEnum

from app.libs.request_domain import gettext


def N_(text: str) -> str:
    """Mark ``text`` as a message id without translating it: the label stays
    Chinese where it is data (the API, export files) and is translated where
    a reader sees it (``shown_label``)."""
    return text


class PendingStatus(IntEnum):
    """The state of a drift (鱼漂). The numbers are stored; 2 meant "mailed and
    done" before a trade waited for receipt, which is what RECEIVED means."""
    WAITING = 1
    RECEIVED = 2
    REJECTED = 3
    WITHDRAWN = 4
    ACCEPTED = 5
    MAILED = 6
    PROBLEM = 7
    EXPIRED = 8
    GIVEN_TO_OTHER = 9
    REFUNDED = 10

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES

    def label(self, role: str) -> str:
        """The status as the requester or the gifter reads it."""
        return _LABELS[role][self]

    def shown_label(self, role: str) -> str:
        """``label`` in the page's language."""
        return gettext(self.label(role))


# A request still running: it holds the requester's bean.
OPEN_STATES = frozenset({PendingStatus.WAITING, PendingStatus.ACCEPTED, PendingStatus.MAILED,
                         PendingStatus.PROBLEM})
# The gifter has promised this copy to the request: nobody else may ask for it.
PROMISED_STATES = frozenset({PendingStatus.ACCEPTED, PendingStatus.MAILED, PendingStatus.PROBLEM})

_S = PendingStatus
_LABELS = {
    "requester": {_S.WAITING: N_("等待对方回应"), _S.ACCEPTED: N_("对方已同意，等待寄出"),
                  _S.MAILED: N_("对方已寄出"), _S.PROBLEM: N_("你报告了问题"), _S.RECEIVED: N_("你已收到，交易完成"),
                  _S.REJECTED: N_("对方已拒绝"), _S.WITHDRAWN: N_("你已撤回"), _S.EXPIRED: N_("已过期"),
                  _S.GIVEN_TO_OTHER: N_("已送给别人"), _S.REFUNDED: N_("对方已退还鱼豆")},
    "gifter": {_S.WAITING: N_("等待你回应"), _S.ACCEPTED: N_("你已同意，请寄出"), _S.MAILED: N_("你已寄出，等待对方确认收到"),
               _S.PROBLEM: N_("对方报告了问题"), _S.RECEIVED: N_("对方已收到，交易完成"), _S.REJECTED: N_("你已拒绝"),
               _S.WITHDRAWN: N_("对方已撤回"), _S.EXPIRED: N_("已过期"), _S.GIVEN_TO_OTHER: N_("已送给别人"),
               _S.REFUNDED: N_("你已退还鱼豆")},
}


class GiftCondition(IntEnum):
    """How worn a copy on offer is, as its gifter describes it (stored)."""
    UNSAID = 0
    NEW = 1
    LIKE_NEW = 2
    MARKED = 3
    DAMAGED = 4

    @property
    def label(self) -> str:
        return _CONDITION_LABELS[self]

    @property
    def shown_label(self) -> str:
        """``label`` in the page's language ("" stays "")."""
        return gettext(self.label) if self.label else ""


_CONDITION_LABELS = {GiftCondition.UNSAID: "", GiftCondition.NEW: N_("全新"),
                     GiftCondition.LIKE_NEW: N_("几乎全新"), GiftCondition.MARKED: N_("有笔记或划线"),
                     GiftCondition.DAMAGED: N_("有破损")}


class TokenScope(str, Enum):
    """What a personal access token (令牌) may do on /api/v1 (stored as its value)."""
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return _SCOPE_LABELS[self]

    def shown_label(self) -> str:
        """``label`` in the page's language."""
        return gettext(self.label)

    def allows(self, needed: "TokenScope") -> bool:
        """A write token may also read; a read token may only read."""
        return self is TokenScope.WRITE or needed is TokenScope.READ


_SCOPE_LABELS = {TokenScope.READ: N_("只读"), TokenScope.WRITE: N_("读写")}
