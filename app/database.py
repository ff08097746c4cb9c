"""Engine options built from the DATABASE_* settings, and the health probe.

Every wait on the database is bounded: connecting, each read and write on a
MySQL connection, waiting for a pooled connection and waiting for another
unit of work's lock. A database that stops answering so ends a request with
an error (the friendly 503) instead of holding a worker thread forever.
"""
from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool


def driver_timeouts(uri: str, connect: float, read: float, write: float, lock_wait: float) -> dict:
    """``connect_args`` bounding every wait of the driver for ``uri``."""
    backend = make_url(uri).get_backend_name()
    if backend == "mysql":
        # The server ends a lock wait (error 1205, retried) before the client
        # gives up reading, which would look like an outage.
        return {"connect_timeout": connect, "read_timeout": read, "write_timeout": write,
                "init_command": f"SET SESSION innodb_lock_wait_timeout = {max(1, int(lock_wait))}"}
    if backend == "sqlite":
        return {"timeout": lock_wait}  # the busy timeout: how long to wait for the write lock
    return {}


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for the configured database; options given in
    the settings win over the timeouts added here."""
    uri = config["SQLALCHEMY_DATABASE_URI"]
    backend = make_url(uri).get_backend_name()
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"]) if backend != "sqlite" else {}
    timeouts = driver_timeouts(uri, config["DATABASE_CONNECT_TIMEOUT"], config["DATABASE_READ_TIMEOUT"],
                               config["DATABASE_WRITE_TIMEOUT"], config["DATABASE_LOCK_WAIT_TIMEOUT"])
    options["connect_args"] = {**timeouts, **options.get("connect_args", {})}
    if backend != "sqlite":
        options.setdefault("pool_timeout", config["DATABASE_POOL_TIMEOUT"])
    if backend == "mysql":
        # Checks made after a row lock must see what other units of work committed.
        options.setdefault("isolation_level", "READ COMMITTED")
    return options


def _probe_engine(app: Flask):
    """An engine of its own for /healthz: no pool (every probe connects
    afresh) and HEALTHZ_TIMEOUT for every wait, so the probe answers quickly
    even while the site's connections hang."""
    engine = app.extensions.get("fisher_probe_engine")
    if engine is None:
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        budget = app.config["HEALTHZ_TIMEOUT"]
        engine = create_engine(uri, poolclass=NullPool,
                               connect_args=driver_timeouts(uri, budget, budget, budget, budget))
        app.extensions["fisher_probe_engine"] = engine
    return engine


def database_answers() -> bool:
    """True when a fresh connection to the database answers ``SELECT 1``."""
    try:
        with _probe_engine(current_app).connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        current_app.logger.error("health check failed: %s", exc.__class__.__name__)
        return False
    return True
