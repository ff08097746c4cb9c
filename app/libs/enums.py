"""Enumerations shared by models and views."""
from enum import IntEnum


class PendingStatus(IntEnum):
    """The state of a drift (鱼漂)."""
    WAITING = 1
    SUCCESS = 2
    REJECT = 3
    WITHDRAWN = 4

    def label(self, role: str) -> str:
        """The status as the requester or the gifter reads it."""
        return _LABELS[role][self]


_LABELS = {
    "requester": {PendingStatus.WAITING: "等待对方邮寄", PendingStatus.SUCCESS: "对方已邮寄",
                  PendingStatus.REJECT: "对方已拒绝", PendingStatus.WITHDRAWN: "你已撤回"},
    "gifter": {PendingStatus.WAITING: "等待你邮寄", PendingStatus.SUCCESS: "你已邮寄，交易完成",
               PendingStatus.REJECT: "你已拒绝", PendingStatus.WITHDRAWN: "对方已撤回"},
}
