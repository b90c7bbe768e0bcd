"""PGB-portaal: self-service portal for personal care budgets under trekkingsrecht."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request

from portal.config import PROJECT_ROOT, load_config
from portal.database import configure_engine, write_intent
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
    Path(app.config["PORTAL_UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_request_transaction(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (complete metadata before the engine is used)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    login_manager.init_app(app)
    login_manager.login_view = "access.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, default_locale="nl", default_timezone=app.config["PORTAL_TIMEZONE"])

    from portal.access.service import load_user

    login_manager.user_loader(load_user)


def register_request_transaction(app: Flask) -> None:
    """One transaction per request: commit when the answer is a success, else roll back."""

    @app.before_request
    def _declare_intent() -> None:
        g._write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _reset_intent(_exc) -> None:
        token = g.pop("_write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


# Every area's blueprint, in the order of the money loop, then the role portals and paper.
BLUEPRINTS = [
    "portal.access.views", "portal.overview.views", "portal.agreements.views",
    "portal.claims.views", "portal.payments.views", "portal.messages.views",
    "portal.providers.views", "portal.funders.views", "portal.office.views", "portal.paper.views",
]


def register_blueprints(app: Flask) -> None:
    import importlib

    for module in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        return render_template("error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)


def register_template_helpers(app: Flask) -> None:
    from portal.dates import format_day, format_month
    from portal.money import format_euro

    app.jinja_env.filters["euro"] = format_euro
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.filters["day"] = format_day

    from portal.navigation import menu

    app.jinja_env.globals["main_menu"] = menu


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
