"""The OpenAPI document of /api/v1/: flask-smorest's Api with problem details as its error
responses, and the operations as the readable /api/v1/docs page lists them."""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask_smorest.utils import prepare_response

from portal.api import problems, schemas


class PortalApi(flask_smorest.Api):
    """flask-smorest's Api on our plain Flask app, with two changes: it leaves the app's error
    pages alone (the API blueprint answers problem details itself), and its documented error
    responses are RFC 9457 problem details (application/problem+json)."""

    ERROR_SCHEMA = schemas.Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        import http

        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def operations_for_docs(spec: dict) -> list[dict]:
    result = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            result.append({"method": method.upper(), "path": path,
                           "summary": op.get("summary", ""),
                           "description": op.get("description", ""),
                           "responses": sorted(op.get("responses", {}).keys())})
    return result
