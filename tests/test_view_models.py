"""View models, without an app: who sees a drift's mailing address."""
from datetime import datetime
from types import SimpleNamespace

import pytest

from app.libs.enums import PendingStatus
from app.view_models.drift import DriftViewModel
from tests.helpers import SANTI

REQUESTER, GIFTER, STRANGER = 1, 2, 3
ADDRESS = "北京市海淀区中关村大街 27 号"
SEEN = {  # (status, viewer) -> the viewer sees the address
    **{(status, REQUESTER): True for status in PendingStatus},
    (PendingStatus.WAITING, GIFTER): True,
    (PendingStatus.SUCCESS, GIFTER): True,
    (PendingStatus.REJECT, GIFTER): False,
    (PendingStatus.WITHDRAWN, GIFTER): False,
    **{(status, STRANGER): False for status in PendingStatus},
}


def drift(status: PendingStatus):
    return SimpleNamespace(
        id=7, requester_id=REQUESTER, gifter_id=GIFTER, pending_status=status, isbn=SANTI,
        book_title="三体", book_author="刘慈欣", book_img="", requester_nickname="鲍勃",
        gifter_nickname="爱丽丝", create_time=datetime(2026, 1, 2), message="谢谢",
        recipient_name="王小明", address=ADDRESS, mobile="13800138000")


@pytest.mark.parametrize("status, viewer", sorted(SEEN))
def test_address_shown_only_to_whom_it_concerns(status, viewer):
    """The requester always sees their address; the gifter only while waiting and after
    mailing, never once rejected or withdrawn; anyone else never."""
    model = DriftViewModel(drift(status), viewer)
    assert model.show_address is SEEN[status, viewer]
    shown = [getattr(model, name, None) for name in ("recipient_name", "address", "mobile")]
    assert shown == (["王小明", ADDRESS, "13800138000"] if SEEN[status, viewer] else [None] * 3)


@pytest.mark.parametrize("status", list(PendingStatus))
def test_a_stranger_gets_no_actions(status):
    """A viewer who is neither party can neither mail, reject nor withdraw."""
    model = DriftViewModel(drift(status), STRANGER)
    assert not (model.can_mail or model.can_reject or model.can_withdraw)
