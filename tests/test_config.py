"""Config loading: public defaults, instance secrets, FISHER_* overrides."""
import os

from app import create_app


def test_first_start_writes_random_secret(tmp_path, monkeypatch):
    """Without instance/secure.py the app writes one with a random key."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    first = create_app()
    second = create_app()
    secret_file = tmp_path / "inst" / "secure.py"
    assert secret_file.exists()
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"


def test_processes_starting_together_agree_on_one_complete_secret(tmp_path):
    """Several processes creating instance/secure.py at once all start, with one full key."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    # Each process imports first, then starts the app at the same instant.
    script = ("import os, time, flask; from app import create_app\n"
              "flask.Flask.auto_find_instance_path = lambda self: os.environ['INST']\n"
              "time.sleep(max(0.0, float(os.environ['START']) - time.time()))\n"
              "print(create_app().config['SECRET_KEY'])\n")
    env = {**os.environ, "INST": str(tmp_path / "inst"), "START": str(time.time() + 8)}
    env.pop("FISHER_SECRET_KEY", None)
    procs = [subprocess.Popen([sys.executable, "-c", script], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    results = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 8, [err[-300:] for _, err in results]
    keys = {out.strip() for out, _ in results}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in (tmp_path / "inst").iterdir() if p.name.startswith("secure")] == ["secure.py"]


def test_environment_overrides_instance_and_defaults(tmp_path, monkeypatch):
    """FISHER_<KEY> variables win over config.py and the instance file."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    monkeypatch.setenv("FISHER_PER_PAGE", "20")
    monkeypatch.setenv("FISHER_YUSHU_API_BASE_URL", "http://127.0.0.1:8001")
    app = create_app()
    assert app.config["PER_PAGE"] == 20
    assert app.config["YUSHU_API_BASE_URL"] == "http://127.0.0.1:8001"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("fisher.sqlite")


def test_test_config_skips_environment(tmp_path, monkeypatch):
    """A test_config ignores FISHER_* variables and the instance file."""
    monkeypatch.setenv("FISHER_PER_PAGE", "99")
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.sqlite"})
    assert app.config["PER_PAGE"] == 15
    assert app.config["SECRET_KEY"] == "x"


def test_public_defaults():
    """The design card's public settings keep their values."""
    from app import config
    assert (config.PER_PAGE, config.RECENT_BOOK_COUNT, config.BEANS_UPLOAD_ONE_BOOK) == (15, 30, 0.5)
    assert config.BOOK_SOURCE == "local"


def test_mysql_engine_waits_are_bounded():
    """A MySQL URI gets connect/read/write/lock-wait timeouts and a pool timeout
    from the DATABASE_* settings; connect_args given in the settings win."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_READ_TIMEOUT": 7,
                      "SQLALCHEMY_DATABASE_URI": "mysql+pymysql://u@127.0.0.1/fisher",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    "connect_args": {"write_timeout": 3}}})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {
        "connect_timeout": 5, "read_timeout": 7, "write_timeout": 3,
        "init_command": "SET SESSION innodb_lock_wait_timeout = 5"}
    assert options["pool_timeout"] == 10 and options["pool_pre_ping"] is True
    assert options["isolation_level"] == "READ COMMITTED"


def test_sqlite_waits_for_the_write_lock_a_bounded_time(tmp_path):
    """SQLite's busy timeout is DATABASE_LOCK_WAIT_TIMEOUT."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_LOCK_WAIT_TIMEOUT": 2,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.sqlite"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"connect_args": {"timeout": 2}}
