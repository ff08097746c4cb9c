"""First-start preparation for ``python fisher.py``."""
from flask_migrate import upgrade

from app.services.catalog import load_bundled_catalog_if_empty


def prepare_database(app) -> None:
    """Bring the schema up to date and load the bundled catalog when the
    book table is empty."""
    with app.app_context():
        upgrade()
        if app.config["LOAD_BUNDLED_CATALOG"]:
            report = load_bundled_catalog_if_empty()
            if report is not None:
                app.logger.info("loaded the bundled catalog: %d books", report.imported)
