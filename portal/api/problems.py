"""Errors as RFC 9457 problem details (application/problem+json), in Dutch or English.

A refusal of the rules keeps its stable code and its Dutch message; the field it is about
becomes a JSON pointer into the request body. English is chosen with Accept-Language: en.
"""

from __future__ import annotations

import re

from flask import Response, json, request

from portal.api.messages import dutch as in_dutch
from portal.refusals import Refusal, Refused

MEDIA_TYPE = "application/problem+json"

# Status -> (Dutch title, English title).
TITLES = {
    400: ("Het verzoek is niet te lezen", "The request cannot be read"),
    401: ("Geen geldige API-sleutel", "No valid API key"),
    403: ("Deze sleutel heeft dit recht niet", "This key lacks the required scope"),
    404: ("Niet gevonden", "Not found"),
    405: ("Deze methode kan hier niet", "Method not allowed"),
    409: ("Dit is al gedaan", "This has already been done"),
    413: ("Het verzoek is te groot", "The request is too large"),
    422: ("Geweigerd", "Refused"),
    429: ("Te veel verzoeken", "Too many requests"),
    500: ("Er ging iets mis", "Something went wrong"),
}

# General details in English for the codes the API itself gives; a rule's refusal keeps its
# Dutch message in `detail` and is named by its code (the rules speak Dutch only).
ENGLISH = {
    "unauthorized": "Send a valid, unrevoked API key as 'Authorization: Bearer <key>'.",
    "scope_missing": "This API key does not have the scope this operation needs.",
    "not_found": "There is nothing here, or it is not yours.",
    "invalid": "Some fields are missing or wrong; see 'errors'.",
    "idempotency_key_reused": "This Idempotency-Key was used before with a different request.",
    "already_done": "This has already been done.",
    "rate_limited": "Too many requests for this key; wait a moment and try again.",
    "method_not_allowed": "This method is not allowed here.",
    "bad_request": "The request cannot be read.",
    "too_large": "The request is too large.",
}
DUTCH = {
    "unauthorized": "Stuur een geldige API-sleutel mee als 'Authorization: Bearer <sleutel>'. "
                    "Is de sleutel verlopen of ingetrokken? Vraag het betaalkantoor om een nieuwe.",
    "scope_missing": "Deze API-sleutel heeft niet het recht dat hiervoor nodig is. Vraag het "
                     "betaalkantoor om een sleutel met dat recht.",
    "not_found": "Dit bestaat niet, of het is niet van uw organisatie.",
    "invalid": "Sommige velden ontbreken of kloppen niet; zie 'errors'.",
    "idempotency_key_reused": "Deze Idempotency-Key is al gebruikt voor een ander verzoek. "
                              "Gebruik een nieuwe sleutel voor een nieuw verzoek.",
    "already_done": "Dit is al gedaan.",
    "rate_limited": "Te veel verzoeken met deze sleutel. Wacht even en probeer het opnieuw.",
    "method_not_allowed": "Deze methode kan hier niet.",
    "bad_request": "Het verzoek is niet te lezen.",
    "too_large": "Het verzoek is te groot. Stuur minder tegelijk.",
}
CODE_OF_STATUS = {400: "bad_request", 401: "unauthorized", 403: "scope_missing",
                  404: "not_found", 405: "method_not_allowed", 409: "already_done",
                  413: "too_large", 422: "invalid", 429: "rate_limited"}


def english() -> bool:
    return request.accept_languages.best_match(["nl", "en"], default="nl") == "en"


def general(code: str) -> str:
    return (ENGLISH if english() else DUTCH).get(code, code)


def pointer(field: str | None, base: str = "") -> str:
    """A rule's field name as a JSON pointer: "lines[2].day" -> "/lines/2/day"."""
    if not field:
        return base or ""
    parts = [p for p in re.split(r"[.\[\]]+", field) if p]
    return base + "".join(f"/{p}" for p in parts)


def refusal_errors(refusals: list[Refusal], base: str = "",
                   field_map: dict[str, str] | None = None) -> list[dict]:
    result = []
    for r in refusals:
        field = (field_map or {}).get(r.field or "", r.field)
        result.append({"code": r.code, "detail": r.message, "pointer": pointer(field, base)})
    return result


# A transition asked for again: answered as a repeat (409), never done twice.
REPEAT_CODES = frozenset({"already_done", "funder_already_decided"})


def status_of(refused: Refused) -> int:
    codes = set(refused.codes)
    if codes & REPEAT_CODES:
        return 409
    if "not_allowed" in codes:
        return 403
    return 422


def body(status: int, code: str, detail: str | None = None,
         errors: list[dict] | None = None, **extra) -> dict:
    nl, en = TITLES.get(status, TITLES[500])
    result = {"type": "about:blank", "title": en if english() else nl, "status": status,
              "code": code, "detail": detail or general(code)}
    if errors:
        result["errors"] = errors
    result.update(extra)
    return result


def refused_body(refused: Refused, base: str = "", field_map: dict[str, str] | None = None
                 ) -> dict:
    status = status_of(refused)
    first = refused.refusals[0]
    detail = first.message if len(refused.refusals) == 1 else general("invalid")
    if english():
        detail = ENGLISH.get(first.code) or f"Refused by the rules ({', '.join(refused.codes)}); " \
                                            "the Dutch reasons are in 'errors'."
    return body(status, first.code if len(refused.refusals) == 1 else "refused", detail,
                refusal_errors(refused.refusals, base, field_map))


def response(data: dict, status: int | None = None, headers: dict | None = None) -> Response:
    resp = Response(json.dumps(data), status=status or data["status"], mimetype=MEDIA_TYPE,
                    headers=headers)
    resp.headers["Content-Language"] = "en" if english() else "nl"
    return resp


def problem(status: int, code: str | None = None, detail: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None) -> Response:
    return response(body(status, code or CODE_OF_STATUS.get(status, "error"), detail, errors),
                    headers=headers)


def validation_errors(messages, base: str = "") -> list[dict]:
    """marshmallow's nested messages ({"json": {"sheets": {0: {"month": [...]}}}}) as a
    flat list with JSON pointers, in Dutch unless English was asked for."""
    result: list[dict] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list) and all(isinstance(m, str) for m in node):
            for message in node:
                result.append({"code": "invalid", "detail": say(message), "pointer": path})
        else:
            result.append({"code": "invalid", "detail": say(str(node)), "pointer": path})

    say = (lambda m: m) if english() else in_dutch
    for location, tree in (messages or {}).items():
        walk(tree, base if location == "json" else f"{base}/{location}")
    return result
