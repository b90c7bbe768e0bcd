"""Sessions on the server: a Flask SessionInterface over the user_sessions table.

The cookie carries only a random id (256 bits); the database keeps its SHA-256 hash and the
session's data (access.service: find_session, start_session, store_session, end_session).
Logging out, a new password, a login turned off and "Overal uitloggen" end the row, so every
copy of the cookie gets the login page. The idle lifetime (PERMANENT_SESSION_LIFETIME) and the
absolute one (PORTAL_SESSION_MAX_AGE) are checked here, on the server, at every request.

One transaction per request (portal/__init__.py) commits in an after_request, and Flask saves
the session after that: save_session writes in a short transaction of its own, and only when
there is something to write (new data, a new id, or "last seen" older than a minute).
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from typing import cast

import flask
from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from portal.access import audit, session_store
from portal.access.rules import (
    describe_device,
    merge_session_data,
    session_end_reason,
    session_needs_touch,
)
from portal.database import parse_id, write_intent
from portal.dates import now as clock
from portal.extensions import db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ServerSession(CallbackDict, SessionMixin):
    """The session's data, and which row of user_sessions it belongs to."""

    def __init__(self, initial=None, *, row_id: int | None = None, user_id: int | None = None,
                 last_seen: dt.datetime | None = None, gone: str | None = None,
                 end: str | None = None) -> None:
        def on_update(self) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)
        self.opened = self.serializer_copy(initial)  # what this request read (for the merge)
        self.row_id = row_id          # the live row this cookie opened (None: none yet)
        self.user_id = user_id        # whose session the row is (None: not logged in)
        self.last_seen = last_seen
        self.gone = gone              # why the session of the cookie that came in is over
        self.end = end                # the row to end at the next save: its reason
        self.renew = False            # a new id at the next save (login, logout, password)
        self.touch = False            # write 'last seen' now ('Blijf ingelogd')
        self.modified = False
        self.accessed = False

    @staticmethod
    def serializer_copy(initial) -> dict:
        return copy.deepcopy(dict(initial or {}))

    def regenerate(self) -> None:
        """Go on with a new id: the old one (and every copy of its cookie) stops working."""
        self.renew = True
        self.modified = True


# Flask's `session` of this request, typed as what DatabaseSessionInterface opens: the pages
# that log in and out read its row_id and call regenerate().
session = cast(ServerSession, flask.session)


class DatabaseSessionInterface(SessionInterface):
    serializer = TaggedJSONSerializer()

    @staticmethod
    def lifetimes(app: Flask) -> tuple[dt.timedelta, dt.timedelta]:
        idle = app.permanent_session_lifetime
        return idle, app.config["PORTAL_SESSION_MAX_AGE"]

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or request.path.startswith(f"{app.static_url_path}/"):
            return ServerSession()  # static files need no session (and no query)
        # Flask opens the session before the request's own before_request handlers: a read
        # for a GET must not start a writing transaction on SQLite (portal.database).
        intent = write_intent.set(request.method not in SAFE_METHODS)
        try:
            row = session_store.find_session(token)
        finally:
            write_intent.reset(intent)
        if row is None:
            return ServerSession(gone="unknown")
        if row.ended_at is not None:
            return ServerSession(gone=row.ended_reason if row.user_id else None)
        stored = audit.stored_timezone()
        started = audit.as_local(row.created_at, stored)
        last_seen = audit.as_local(row.last_seen_at, stored)
        idle, max_age = self.lifetimes(app)
        reason = session_end_reason(started, last_seen, clock(), idle=idle, max_age=max_age)
        if reason is not None:
            gone = ServerSession(gone=reason if row.user_id else None, end=reason)
            gone.row_id = row.id
            gone.renew = True
            return gone
        try:
            data = self.serializer.loads(row.data) if row.data else {}
        except ValueError:
            data = {}
        return ServerSession(data, row_id=row.id, user_id=row.user_id, last_seen=last_seen)

    def save_session(self, app: Flask, session: ServerSession,  # type: ignore[override]
                     response: Response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        user_id = parse_id(session.get("_user_id"))
        if session.row_id is not None and user_id != session.user_id:
            session.renew = True  # logged in or out: never the same id on both sides
        moment = clock()
        wrote = False
        intent = write_intent.set(True)
        try:
            if session.row_id is not None and session.renew:
                session_store.end_session(session.row_id, session.end or "renewed", moment)
                session.row_id, wrote = None, True
            if session.row_id is None:
                if dict(session):
                    token = secrets.token_urlsafe(32)
                    session_store.start_session(
                        token, user_id=user_id, data=self.serializer.dumps(dict(session)),
                        device=describe_device(_user_agent()), now=moment)
                    self._set_cookie(app, response, token)
                    wrote = True
                elif session.gone is not None or wrote:
                    self._delete_cookie(app, response)
            elif (session.modified or session.touch
                  or session_needs_touch(session.last_seen or moment, moment)):
                data = None
                if session.modified:
                    # Another request with this cookie may have saved meanwhile (a double
                    # click): merge with what is stored now instead of overwriting it.
                    stored = self._stored(session.row_id)
                    data = self.serializer.dumps(
                        merge_session_data(session.opened, dict(session), stored))
                if not session_store.store_session(session.row_id, data, moment):
                    self._delete_cookie(app, response)  # ended by another request meanwhile
                wrote = True
            if wrote:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        finally:
            write_intent.reset(intent)

    def _stored(self, row_id: int) -> dict:
        raw = session_store.session_data_for_update(row_id)
        try:
            return self.serializer.loads(raw) if raw else {}
        except ValueError:
            return {}

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        # No Expires: the cookie lasts as long as the browser runs; the server decides how long
        # the session lives.
        response.set_cookie(self.get_cookie_name(app), token,
                            domain=self.get_cookie_domain(app),
                            path=self.get_cookie_path(app),
                            secure=self.get_cookie_secure(app),
                            httponly=self.get_cookie_httponly(app),
                            samesite=self.get_cookie_samesite(app))

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(self.get_cookie_name(app), domain=self.get_cookie_domain(app),
                               path=self.get_cookie_path(app),
                               secure=self.get_cookie_secure(app),
                               httponly=self.get_cookie_httponly(app),
                               samesite=self.get_cookie_samesite(app))


def _user_agent() -> str:
    from flask import has_request_context, request

    return request.headers.get("User-Agent", "") if has_request_context() else ""
