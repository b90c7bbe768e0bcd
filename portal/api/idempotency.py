"""Idempotency-Key: a write sent with the header is done once per key and API key; a repeat
answers the first answer again."""

from __future__ import annotations

import functools
import hashlib

from flask import Response, current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.api import problems
from portal.api.models import ApiKey, IdempotentAnswer
from portal.extensions import db


def idempotent(view):
    """A write sent with an Idempotency-Key header is done once per key: a repeat with the same
    body answers the first answer again (Idempotent-Replayed: true); the same key with another
    body is refused (422). Only a successful answer is kept; a refused one may be retried."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        idem = request.headers.get("Idempotency-Key")
        if idem is None:
            return view(*args, **kwargs)
        if not idem.strip() or len(idem) > 200:
            return problems.problem(400, "idempotency_key_invalid", errors=[{
                "code": "idempotency_key_invalid", "pointer": "",
                "detail": "Een Idempotency-Key heeft 1 tot 200 tekens."}])
        key: ApiKey = g.api_key
        digest = hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n"
                                + request.get_data()).hexdigest()
        earlier = db.session.scalar(select(IdempotentAnswer).where(
            IdempotentAnswer.api_key_id == key.id, IdempotentAnswer.key == idem))
        if earlier is not None:
            return _replay(earlier, digest)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            answer = IdempotentAnswer(api_key_id=key.id, key=idem, request_hash=digest,
                                      status_code=response.status_code,
                                      body=response.get_data(as_text=True))
            try:
                with db.session.begin_nested():
                    db.session.add(answer)
                    db.session.flush()
            except IntegrityError:
                # The same key at the same moment: the other request did it; this one's work
                # is rolled back (the answer is a problem) and a retry replays the first.
                return problems.problem(409, "already_done")
        return response

    return wrapper


def _replay(earlier: IdempotentAnswer, digest: str) -> Response:
    if earlier.request_hash != digest:
        return problems.problem(422, "idempotency_key_reused", errors=[{
            "code": "idempotency_key_reused", "pointer": "",
            "detail": problems.DUTCH["idempotency_key_reused"]}])
    g.api_what = f"{request.method} {request.path} (herhaald)"
    return Response(earlier.body, status=earlier.status_code, mimetype="application/json",
                    headers={"Idempotent-Replayed": "true"})


IDEMPOTENCY_HEADER = {"Idempotency-Key": {
    "description": "Optional. A repeat with the same key and body answers the first answer.",
    "schema": {"type": "string", "maxLength": 200}}}
