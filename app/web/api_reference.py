"""The API reference page: the OpenAPI document of /api/v1, read as a page.

Rendered on the server from the same document ``/api/v1/openapi.json``
serves, so it never disagrees with it and needs no script from elsewhere
(the site's CSP would refuse one, and no CDN is assumed).
"""
from flask import render_template

from app.view_models.api_reference import reference, tag_title
from app.web import web


@web.get("/api/docs")
def api_reference():
    from app.api.spec import openapi_document  # here: app.api.spec imports from app.web
    groups, schemas = reference(openapi_document())
    return render_template("api/reference.html", groups=groups, schemas=schemas, tag_title=tag_title)
