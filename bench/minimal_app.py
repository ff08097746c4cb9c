"""The baseline: one route rendering a one-line template, served by gunicorn
exactly as fisher is (``gunicorn -c gunicorn.conf.py bench.minimal_app:app``)."""
from flask import Flask, render_template

app = Flask(__name__)


@app.get("/")
def hello():
    return render_template("minimal.html", name="鱼书")
