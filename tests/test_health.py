"""The /healthz endpoint for load balancers."""
from app import create_app


def test_healthz_ok(client):
    """With the database answering, /healthz is 200 {"status": "ok"}."""
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_healthz_database_down(tmp_path):
    """With the database unreachable, /healthz is 503 and says so."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.get_json() == {"status": "unavailable"}
