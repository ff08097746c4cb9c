"""Entry point: ``app`` for WSGI servers; run directly for the threaded
development server (schema migrated and bundled catalog loaded on start)."""
import logging
import os

from app import create_app
from app.first_start import prepare_database
from app.jobs import start_in_process
from app.security import debug_allowed

app = create_app()

if __name__ == "__main__":
    app.logger.setLevel(logging.INFO)  # start-up notes such as the catalog load are INFO
    prepare_database(app)
    debug = debug_allowed(app)
    # With the debugger's reloader, only the serving child runs the queue.
    serving = not debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
    if app.config["JOBS_IN_PROCESS"] and app.config["JOBS_QUEUE"] != "immediate" and serving:
        start_in_process(app)  # mail and the periodic sweeps run beside the server
    app.run(host=app.config["HOST"], port=app.config["PORT"], debug=debug, threaded=True)
