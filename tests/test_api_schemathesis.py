"""Schemathesis, a third-party API fuzzer, against the OpenAPI document of a served fisher.

It runs the ``st`` command line as a client would: over real HTTP, with a
write token of a user who has beans, gifts, wishes and a drift, every
check it has (no 5xx, answers that match their own schema and documented
status codes and content types, negative data rejected, auth not ignored)
but one: ``positive_data_acceptance`` expects every value its schema allows
to be accepted, and two kinds of value cannot be told apart by a JSON
Schema -- an ISBN with a wrong check digit, and a cursor this API did not
make -- which fisher rightly refuses with a 400 problem.
``FISHER_FUZZ_EXAMPLES`` (default 25) sets the examples per operation.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

from app.models.base import db
from app.services.api_tokens import create_token
from app.services.drift import request_gift
from tests.helpers import add_books, HUOZHE, SANTI, make_gift, make_user, make_wish
from tests.live import serve

EXAMPLES = int(os.environ.get("FISHER_FUZZ_EXAMPLES", "25"))
ADDRESS = {"recipient_name": "鲍勃", "address": "北京市海淀区中关村大街 1 号", "mobile": "13800138000",
           "message": "谢谢"}


def st_command() -> list[str]:
    found = shutil.which("st", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


@pytest.fixture
def fuzz_app(app_factory, tmp_path):
    """A served app whose limits do not stop the fuzzer, with some data."""
    app = app_factory(API_V1_RATE_LIMIT="100000 per minute", API_V1_TOKEN_RATE_LIMIT="100000 per minute")
    with app.app_context():
        add_books()
        alice, bob = (make_user("爱丽丝", "alice@example.com", beans=5),
                      make_user("鲍勃", "bob@example.com", beans=5))
        gift = make_gift(alice, SANTI)
        make_gift(bob, HUOZHE)
        make_wish(alice, HUOZHE)
        with db.auto_commit():
            request_gift(bob, gift.id, ADDRESS)
        secret = create_token(alice, "fuzzer", "write")[1]
    return app, secret


def test_schemathesis_finds_nothing(fuzz_app, tmp_path):
    """Every check of schemathesis passes on every operation of /api/v1."""
    app, secret = fuzz_app
    report = tmp_path / "report"
    with serve(app) as base:
        run = subprocess.run(
            [*st_command(), "run", f"{base}/api/v1/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance",
             "-H", f"Authorization: Bearer {secret}", "--max-examples", str(EXAMPLES), "--seed", "1",
             "--workers", "1", "--request-timeout", "20", "--no-color", "--report", "junit",
             "--report-dir", str(report)],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-12000:]
    assert "operations" in output.lower() or "passed" in output.lower(), output[-3000:]
