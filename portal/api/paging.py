"""Cursor paging of the API's lists: an opaque cursor (the position after the last row read),
a page of `limit` rows read as limit + 1 (the extra one says there is a next page)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import Select

from portal.database import MAX_ID
from portal.extensions import db
from portal.refusals import Refusal, Refused


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}".encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> int | None:
    """The position a cursor stands for; Refused (field 'cursor') for anything we did not make."""
    if text is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        version, _, position = raw.partition(":")
        if (version != "v1" or not (position.isascii() and position.isdigit())
                or len(position) > 12 or int(position) > MAX_ID):
            raise ValueError(raw)
        return int(position)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Refused(Refusal("cursor_invalid", "Deze cursor is onbekend. Gebruik de "
                              "next_cursor van de vorige pagina, of laat hem weg.",
                              "cursor")) from None


def rows_after_cursor(query: Select, id_column: Any, limit: int, cursor: str | None) -> list:
    """The rows of `query` after the cursor's id, in id order: limit + 1 of them, so the caller
    can tell whether there is a next page."""
    after = decode_cursor(cursor) or 0
    return list(db.session.scalars(query.where(id_column > after).order_by(id_column)
                                   .limit(limit + 1)))


def page(items: list, limit: int, position) -> dict:
    """items fetched with limit + 1: the extra one says there is a next page."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items,
            "next_cursor": encode_cursor(position(items[-1])) if more and items else None}
