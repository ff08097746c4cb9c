"""下载我的数据: GET /personal/export answers one ZIP with everything fisher
holds about me, as JSON and as CSV, and nothing secret or someone else's."""
import csv
import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from app.libs.enums import GiftCondition
from app.libs.export_files import COLUMNS
from app.models.base import db
from app.models.drift import Drift
from app.models.user import User
from app.services import drift as drifts
from app.services import lists
from tests.helpers import DRIFT_FORM, HONGLOU, HUOZHE, SANTI, login_client, make_user, make_wish

KINDS = list(COLUMNS)


def export(client) -> dict[str, bytes]:
    """The export's files by name (the response must be an attachment ZIP)."""
    resp = client.get("/personal/export")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert re.fullmatch(r'attachment; filename="fisher-export-\d{4}-\d{2}-\d{2}\.zip"',
                        resp.headers["Content-Disposition"])
    with zipfile.ZipFile(io.BytesIO(resp.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def as_json(files, kind):
    return json.loads(files[f"{kind}.json"].decode("utf-8"))


def as_csv(files, kind) -> list[dict]:
    data = files[f"{kind}.csv"]
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def trade(app, books):
    """爱丽丝 gives 三体 (with a condition note) and 活着; 鲍勃 (2 beans)
    requests 三体; 鲍勃 also wishes for 红楼梦."""
    alice, bob = make_user("爱丽丝", "alice@example.com"), make_user("鲍勃", "bob@example.com", beans=2)
    gift = lists.add_gift(alice, SANTI, GiftCondition.MARKED, "扉页有签名")
    lists.add_gift(alice, HUOZHE)
    lists.add_wish(bob, HONGLOU)
    drift = drifts.request_gift(bob, gift.id, DRIFT_FORM)
    return {"alice": alice, "bob": bob, "gift_id": gift.id, "did": drift.id}


def test_export_requires_login(client):
    """An anonymous visitor is sent to log in."""
    resp = client.get("/personal/export")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def test_export_has_every_kind_as_json_and_csv_with_a_readme(app, trade):
    """README.txt plus one JSON and one CSV per kind; the CSV says what the JSON says."""
    files = export(login_client(app, trade["alice"]))
    assert set(files) == {"README.txt"} | {f"{k}.{ext}" for k in KINDS for ext in ("json", "csv")}
    readme = files["README.txt"].decode("utf-8")
    for kind, (_, columns) in COLUMNS.items():
        header = files[f"{kind}.csv"].decode("utf-8-sig").splitlines()[0]
        assert header == ",".join(name for name, _ in columns)
        for name, _ in columns:
            assert f"  {name}: " in readme
    data = as_json(files, "gifts")
    assert [(g["isbn"], g["status"], g["condition"], g["condition_note"]) for g in data] == [
        (SANTI, "open", "marked", "扉页有签名"), (HUOZHE, "open", "unsaid", "")]
    assert [row["condition_note"] for row in as_csv(files, "gifts")] == ["扉页有签名", ""]
    assert as_json(files, "account")["nickname"] == "爱丽丝"
    assert [(e["delta"], e["reason"]) for e in as_json(files, "ledger")] == [
        ("0.5", "list_gift"), ("0.5", "list_gift")]
    assert [n["kind"] for n in as_json(files, "notices")] == ["request"]


def test_export_holds_no_secret(app, trade):
    """Neither the password hash nor the session generation is anywhere in the files."""
    alice = db.session.get(User, trade["alice"].id)
    files = export(login_client(app, alice))
    everything = b"".join(files.values())
    assert alice.password.encode() not in everything
    assert b"pbkdf2" not in everything and b"scrypt" not in everything
    assert "password" not in as_json(files, "account")
    assert "session_generation" not in everything.decode("utf-8")


def test_export_holds_nothing_of_another_user(app, trade):
    """Bob's email, his wish and his own ledger are not in Alice's export."""
    files = export(login_client(app, trade["alice"]))
    everything = b"".join(files.values()).decode("utf-8")
    assert "bob@example.com" not in everything and HONGLOU not in everything
    assert as_json(files, "wishes") == []
    assert all(entry["reason"] != "request" for entry in as_json(files, "ledger"))


def test_withdrawn_entries_are_history_with_their_status(app, trade):
    """A withdrawn wish and a withdrawn gift stay in the export, marked withdrawn."""
    bob = trade["bob"]
    lists.withdraw_wish(bob, HONGLOU)
    make_wish(bob, SANTI, launched=True)
    wishes = as_json(export(login_client(app, bob)), "wishes")
    assert [(w["isbn"], w["status"]) for w in wishes] == [(HONGLOU, "withdrawn"), (SANTI, "fulfilled")]
    alice = trade["alice"]
    gift_id = next(g["id"] for g in as_json(export(login_client(app, alice)), "gifts") if g["isbn"] == HUOZHE)
    lists.withdraw_gift(alice, gift_id)
    gifts = as_json(export(login_client(app, alice)), "gifts")
    assert [g["status"] for g in gifts if g["isbn"] == HUOZHE] == ["withdrawn"]


def _address(app, user) -> dict:
    [drift] = as_json(export(login_client(app, user)), "drifts")
    return {key: drift[key] for key in ("recipient_name", "address", "mobile")}


SHOWN = {key: DRIFT_FORM[key] for key in ("recipient_name", "address", "mobile")}
HIDDEN = dict.fromkeys(SHOWN, "")


def test_gifter_sees_the_address_only_after_accepting(app, trade):
    """Waiting: the requester sees their address, the gifter does not; accepted: both do."""
    assert _address(app, trade["bob"]) == SHOWN
    assert _address(app, trade["alice"]) == HIDDEN
    drifts.accept(trade["alice"], trade["did"])
    assert _address(app, trade["alice"]) == SHOWN
    csv_row = as_csv(export(login_client(app, trade["alice"])), "drifts")[0]
    assert csv_row["address"] == DRIFT_FORM["address"] and csv_row["role"] == "gifter"


def test_gifter_loses_the_address_when_the_drift_closes(app, trade):
    """After receipt the gifter no longer sees the address; the requester still does."""
    drifts.accept(trade["alice"], trade["did"])
    drifts.mailed(trade["alice"], trade["did"])
    drifts.received(trade["bob"], trade["did"])
    assert _address(app, trade["alice"]) == HIDDEN
    assert _address(app, trade["bob"]) == SHOWN


def test_erased_address_stays_erased(app, trade):
    """Once the mailing details are erased, neither party's export has them."""
    drifts.accept(trade["alice"], trade["did"])
    with db.auto_commit():
        db.session.execute(update(Drift).values(address_erased=True))
    assert _address(app, trade["alice"]) == HIDDEN
    assert _address(app, trade["bob"]) == HIDDEN


def test_a_user_with_nothing_gets_empty_tables(app):
    """No gifts, wishes, drifts, beans or notices: empty JSON lists, CSVs with only a header."""
    files = export(login_client(app, make_user("新人", "new@example.com")))
    for kind in KINDS[1:]:
        assert as_json(files, kind) == []
        assert files[f"{kind}.csv"].decode("utf-8-sig").splitlines() == [
            ",".join(name for name, _ in COLUMNS[kind][1])]
    assert as_json(files, "account")["beans"] == "0.0"


def test_csv_text_cannot_run_as_a_formula(app, books):
    """Text starting with "=" gets an apostrophe in the CSV (kept as is in JSON); a negative number does not."""
    user = make_user("表格", "sheet@example.com")
    lists.add_gift(user, SANTI, GiftCondition.NEW, "=HYPERLINK(\"http://x\")")
    lists.withdraw_gift(user, lists.add_gift(user, HUOZHE).id)
    files = export(login_client(app, user))
    assert as_csv(files, "gifts")[0]["condition_note"] == "'=HYPERLINK(\"http://x\")"
    assert as_json(files, "gifts")[0]["condition_note"] == "=HYPERLINK(\"http://x\")"
    assert "-0.5" in [row["delta"] for row in as_csv(files, "ledger")]
