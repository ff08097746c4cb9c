"""Entry point: ``app`` for WSGI servers; run directly for the threaded
development server (schema migrated and bundled catalog loaded on start)."""
import logging

from app import create_app
from app.first_start import prepare_database
from app.security import debug_allowed

app = create_app()

if __name__ == "__main__":
    app.logger.setLevel(logging.INFO)  # start-up notes such as the catalog load are INFO
    prepare_database(app)
    app.run(host=app.config["HOST"], port=app.config["PORT"],
            debug=debug_allowed(app), threaded=True)
