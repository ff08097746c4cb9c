"""The reference of bench/run.py: one route rendering a one-line template.

bench/run.py serves it twice, with the repo's settings
(``gunicorn -c gunicorn.conf.py bench.minimal_app:app``, as fisher) and with
plain ``gunicorn -w 2 -k sync``, and takes the faster as the reference.

The template is compiled once per worker, not per request: Flask's Jinja
environment keeps compiled templates in its cache, and with
``TEMPLATES_AUTO_RELOAD`` off (set below, so FLASK_DEBUG cannot turn it on)
it does not even ask the loader whether the file changed. Checked by counting
``app.jinja_env.compile`` calls over several requests: one.
"""
from flask import Flask, render_template

app = Flask(__name__)
app.config["TEMPLATES_AUTO_RELOAD"] = False


@app.get("/")
def hello():
    return render_template("minimal.html", name="鱼书")
