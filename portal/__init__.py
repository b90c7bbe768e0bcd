"""PGB-portaal: self-service portal for personal care budgets under trekkingsrecht."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from portal.config import PROJECT_ROOT, load_config, make_dir
from portal.database import MAX_ID, configure_engine, write_intent
from portal.extensions import babel, csrf, db, limiter, login_manager


def create_app(config: Mapping[str, Any] | None = None,
               environ: dict[str, str] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(environ))
    if config:
        app.config.update(config)
    app.instance_path = app.config["PORTAL_INSTANCE_DIR"]
    # Before any route exists: <int:...> in a URL never exceeds what an id column holds.
    app.url_map.converters["int"] = DatabaseIntConverter
    make_dir(Path(app.config["PORTAL_UPLOAD_DIR"]), "PORTAL_UPLOAD_DIR")

    register_logging(app)
    warn_about_missing_organisation(app)
    register_extensions(app)
    register_security_headers(app)
    register_input_guard(app)
    register_request_transaction(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class DatabaseIntConverter(IntegerConverter):
    """<int:id> up to the largest id the database holds (database.MAX_ID): a larger number in
    the address is no id of ours (404), instead of an error in the database driver (500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def warn_about_missing_organisation(app: Flask) -> None:
    """A public service says who runs it and how to reach it: production without PORTAL_ORG_*
    starts (an old deployment keeps working) but says what every page and letter now lacks."""
    from portal.organisation import missing_in_production

    if app.config["PORTAL_ENV"] == "production" and (missing := missing_in_production(app.config)):
        app.logger.warning("Niet ingesteld: %s. Pagina's, foutpagina's en brieven tonen dan "
                           "geen naam of contactgegevens van de organisatie.", ", ".join(missing))


def register_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (complete metadata before the engine is used)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    from portal.access.sessions import DatabaseSessionInterface

    app.session_interface = DatabaseSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "access.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, default_locale="nl", default_timezone=app.config["PORTAL_TIMEZONE"])

    from portal.access.service import load_user

    login_manager.user_loader(load_user)


def register_logging(app: Flask) -> None:
    """One event per line in the log, whatever a value holds (portal.log)."""
    from portal.log import register_logging as register

    register(app)


def register_security_headers(app: Flask) -> None:
    """CSP, framing, nosniff, referrer, permissions and (production) HSTS on every answer."""
    from portal.headers import register_security_headers as register

    register(app)


def register_input_guard(app: Flask) -> None:
    from portal.web import refuse_unstorable_input

    app.before_request(refuse_unstorable_input)


def register_request_transaction(app: Flask) -> None:
    """One transaction per request: commit when the answer is a success, else roll back
    (unless the view kept what its refusal wrote: portal.web.keep_writes_of_refusal). The
    session is saved after this, in a short transaction of its own (portal.access.sessions)."""

    @app.before_request
    def _declare_intent() -> None:
        g._write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.after_request
    def _commit(response):
        if response.status_code < 400 or g.pop("keep_writes_of_refusal", False):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _reset_intent(_exc) -> None:
        token = g.pop("_write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


# Every area's blueprint, in the order of the money loop, then the role portals, paper and
# the API.
BLUEPRINTS = [
    "portal.access.views", "portal.overview.views", "portal.agreements.views",
    "portal.claims.views", "portal.payments.views", "portal.messages.views",
    "portal.providers.views", "portal.funders.views", "portal.office.views", "portal.paper.views",
    "portal.identity.views", "portal.claims.allowance_views",
    "portal.paper.year_views",
    "portal.api.views", "portal.overview.glossary_views", "portal.organisation",
]


def register_blueprints(app: Flask) -> None:
    import importlib

    for module in BLUEPRINTS:
        views = importlib.import_module(module)
        # A module with its own register(app) (the API: its OpenAPI document) does it itself.
        register = getattr(views, "register", None)
        if register is not None:
            register(app)
        else:
            app.register_blueprint(views.bp)


# The last resort when even the error page cannot be rendered (the database is gone, a
# template fails): plain HTML in Dutch that needs nothing but this string.
FALLBACK_ERROR_PAGE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Er ging iets mis - PGB-portaal</title></head>
<body>
<main>
<h1>Er ging iets mis</h1>
<p>Er is niets opgeslagen. Probeer het later opnieuw. Blijft het misgaan? Neem dan contact op met
{name}: bel {phone}{hours} of mail naar <a href="mailto:{email}">{email}</a>.</p>
<p><a href="/">Naar de startpagina</a></p>
</main>
<footer><p>{name}, {address}</p>
<p><a href="/privacy">Privacy</a> &middot; <a href="/toegankelijkheid">Toegankelijkheid</a> &middot;
<a href="/contact">Contact</a></p></footer>
</body>
</html>
"""


def fallback_error_page(config) -> str:
    """FALLBACK_ERROR_PAGE with the organisation's name and contact details (escaped)."""
    from markupsafe import escape

    from portal.organisation import organisation

    org = organisation(config)
    return FALLBACK_ERROR_PAGE.format(
        name=escape(org.name), phone=escape(org.phone), email=escape(org.email),
        hours=escape(f" ({org.hours})") if org.hours else "",
        address=escape(", ".join(org.address_lines)))


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        # The failed unit of work is over: roll it back before the page reads anything (the
        # header reads the user and the unread count), so a session that failed halfway, e.g.
        # on a flush, cannot make the error page fail too (PendingRollbackError).
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the database itself is gone
            app.logger.exception("Rollback before the error page failed")
        # An HTTP error's own headers stay (a 405's Allow, RFC 9110); its Content-Type is ours.
        headers = [(k, v) for k, v in (error.get_headers() if isinstance(error, HTTPException)
                                        else []) if k.lower() != "content-type"]
        try:
            return render_template("error.html", code=code,
                                   detail=getattr(error, "dutch", None)), code, headers
        except Exception:
            app.logger.exception("The error page for %s could not be rendered", code)
            with contextlib.suppress(Exception):
                db.session.rollback()
            return Response(fallback_error_page(app.config), status=code, mimetype="text/html",
                            headers=headers)

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)


def register_template_helpers(app: Flask) -> None:
    from portal.dates import format_day, format_month
    from portal.money import format_euro

    app.jinja_env.filters["euro"] = format_euro
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.filters["day"] = format_day
    from portal.table_cards import label_cells

    app.jinja_env.filters["table_cells"] = label_cells

    from portal.navigation import client_file, file_menu, menu, whose

    app.jinja_env.globals["main_menu"] = menu
    app.jinja_env.globals["client_file"] = client_file
    app.jinja_env.globals["file_menu"] = file_menu
    app.jinja_env.globals["whose"] = whose

    from portal.agreements.titles import agreement_title

    # A page about one agreement or sheet names it by its human title (one query).
    app.jinja_env.globals["agreement_title"] = agreement_title


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
