"""fisher:app for the tests that start gunicorn, with its instance folder (the
generated secret, a default SQLite file, the outbox, covers) moved to
$TEST_INSTANCE_PATH so a test's server never writes into the repository's
instance/. Serve it as ``tests.gunicorn_app:app``."""
import os

from flask import Flask

_FOLDER = os.environ["TEST_INSTANCE_PATH"]
Flask.auto_find_instance_path = lambda self: _FOLDER

from fisher import app  # noqa: E402,F401  (built after the folder is moved)
