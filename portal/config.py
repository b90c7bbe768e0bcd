"""Every setting of the portal, read from the environment (PORTAL_*) in this one module.

Nothing else reads os.environ for configuration. Tests pass their own mapping to
create_app(config=...), which overrides what the environment says.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from portal.dates import TIMEZONE_NAME
from portal.folders import why_not_writable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message (in Dutch, one line: the command line prints
    it as it is) says which and what to do."""


@dataclass(frozen=True)
class Setting:
    env: str
    description: str
    default: str | None = None


# The documented list; the README's configuration table is made from the same words.
SETTINGS = [
    Setting("PORTAL_ENV", "`development` (default) or `production`; production refuses to start "
            "without a secret key and a database URL.", "development"),
    Setting("PORTAL_DATABASE_URL", "SQLAlchemy URL of the database, e.g. "
            "`postgresql+psycopg://user@host/pgb`.", "SQLite file `instance/portal.sqlite3`"),
    Setting("PORTAL_SECRET_KEY", "Key that signs sessions and CSRF tokens.",
            "generated once into `instance/secret_key` (development only)"),
    Setting("PORTAL_UPLOAD_DIR", "Folder for uploaded documents (signed agreements).",
            "`instance/uploads`"),
    Setting("PORTAL_INSTANCE_DIR", "Folder for the SQLite file, the development key and uploads.",
            "`instance/`"),
    Setting("PORTAL_SESSION_IDLE_MINUTES", "A session ends after this many minutes without "
            "activity (checked on the server; the page warns two minutes before).", "15"),
    Setting("PORTAL_SESSION_MAX_HOURS", "A session ends this many hours after the login, "
            "active or not (checked on the server).", "12"),
    Setting("PORTAL_REDIS_URL", "Redis for rate limits (and background jobs) in production.",
            "none: in-memory"),
    Setting("PORTAL_PAYER_NAME", "Account holder name of the payment office's bank account (the "
            "debtor in the SEPA file of a payment run).", "demo name in development; none in production"),
    Setting("PORTAL_PAYER_IBAN", "IBAN of the payment office's bank account (SEPA debtor account).",
            "a demo IBAN in development; none in production"),
    Setting("PORTAL_PAYER_BIC", "BIC of the payment office's bank (optional).",
            "a demo BIC in development; none in production"),
    # E-mail (password reset links), sent with smtplib by portal/access/mail.py.
    Setting("PORTAL_MAIL_SERVER", "SMTP server for e-mail (password reset links): `host` or "
            "`host:port`. Without it, development writes each e-mail to the log; production "
            "sends nothing and logs an error (never the link).", "none"),
    Setting("PORTAL_MAIL_FROM", "Sender address of the portal's e-mail, e.g. "
            "`PGB-portaal <noreply@pgb.example>`; required with `PORTAL_MAIL_SERVER`.",
            "`PGB-portaal <noreply@localhost>` in development"),
    Setting("PORTAL_MAIL_SECURITY", "`starttls` (port 587 by default), `ssl` (465) or `none` "
            "(25, only for a server on the same machine).", "`starttls`"),
    Setting("PORTAL_MAIL_USERNAME", "User name for the SMTP server (optional).", "none"),
    Setting("PORTAL_MAIL_PASSWORD", "Password for the SMTP server (with `PORTAL_MAIL_USERNAME`).",
            "none"),
]

# The payment office's account in development and the demo: never a real account.
DEMO_PAYER = {"PORTAL_PAYER_NAME": "Betaalkantoor PGB-portaal (demo)",
              "PORTAL_PAYER_IBAN": "NL91ABNA0417164300", "PORTAL_PAYER_BIC": "ABNANL2A"}


def make_dir(path: Path, setting: str) -> Path:
    """A folder the portal writes to, created if needed; a clear refusal when it cannot be."""
    why = why_not_writable(path)
    if why:
        raise ConfigError(f"{setting}: de map {path} kan niet gemaakt worden of er kan niet in "
                          f"geschreven worden: {why}. Kies een map waarin het portaal mag "
                          "schrijven.")
    return path


DATABASE_URL_EXAMPLE = ("bijvoorbeeld postgresql+psycopg://gebruiker@host:5432/pgb, of "
                        "sqlite:////pad/naar/portal.sqlite3")


def check_database_url(url: str) -> None:
    """A URL SQLAlchemy reads, of a database the portal runs on (never echoed: it may hold a
    password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigError("PORTAL_DATABASE_URL is geen database-adres. Schrijf het als "
                          f"{DATABASE_URL_EXAMPLE}.") from None
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(f"PORTAL_DATABASE_URL wijst naar {backend}; het portaal werkt met "
                          f"PostgreSQL of SQLite, {DATABASE_URL_EXAMPLE}.")


def _dev_secret_key(instance: Path) -> str:
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    make_dir(instance, "PORTAL_INSTANCE_DIR")
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


MAIL_SECURITY = {"starttls": 587, "ssl": 465, "none": 25}  # -> the default port


def _mail_settings(env: dict[str, str], mode: str) -> dict[str, object]:
    """PORTAL_MAIL_*: where the portal's e-mail goes (see portal/access/mail.py)."""
    server = env.get("PORTAL_MAIL_SERVER", "").strip()
    security = env.get("PORTAL_MAIL_SECURITY", "").strip().lower() or "starttls"
    if security not in MAIL_SECURITY:
        raise ConfigError(f"PORTAL_MAIL_SECURITY is {security!r}; kies 'starttls', 'ssl' of "
                          "'none'.")
    host, _, port_text = server.partition(":")
    if port_text and not port_text.isdigit():
        raise ConfigError(f"PORTAL_MAIL_SERVER is {server!r}; schrijf 'host' of 'host:poort', "
                          "bijvoorbeeld smtp.example.nl:587.")
    sender = env.get("PORTAL_MAIL_FROM", "").strip()
    if server and not sender:
        raise ConfigError("PORTAL_MAIL_FROM ontbreekt: zet het afzenderadres van de e-mail, "
                          "bijvoorbeeld 'PGB-portaal <noreply@pgb.example>'.")
    return {
        "PORTAL_MAIL_SERVER": host or None,
        "PORTAL_MAIL_PORT": int(port_text) if port_text else MAIL_SECURITY[security],
        "PORTAL_MAIL_SECURITY": security,
        "PORTAL_MAIL_FROM": sender or ("PGB-portaal <noreply@localhost>"
                                       if mode == "development" else None),
        "PORTAL_MAIL_USERNAME": env.get("PORTAL_MAIL_USERNAME", "").strip() or None,
        "PORTAL_MAIL_PASSWORD": env.get("PORTAL_MAIL_PASSWORD", "") or None,
    }


def _whole_number(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ConfigError(f"{name} is {text!r}; kies een heel getal van {low} tot en met "
                          f"{high}.")
    return int(text)


def load_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("PORTAL_ENV", "development").strip().lower()
    if mode not in ("development", "production"):
        raise ConfigError(f"PORTAL_ENV is {mode!r}; zet deze op 'development' of 'production'.")
    instance = Path(env.get("PORTAL_INSTANCE_DIR") or DEFAULT_INSTANCE).resolve()

    secret = env.get("PORTAL_SECRET_KEY", "").strip()
    database_url = env.get("PORTAL_DATABASE_URL", "").strip()
    if mode == "production":
        if len(secret) < 32:
            raise ConfigError("PORTAL_SECRET_KEY ontbreekt of is te kort: zet in productie een "
                              "geheime sleutel van minstens 32 willekeurige tekens, bijvoorbeeld "
                              "de uitvoer van: python3 -c 'import secrets; "
                              "print(secrets.token_hex(32))'.")
        if not database_url:
            raise ConfigError("PORTAL_DATABASE_URL ontbreekt: zet in productie het adres van de "
                              "database, bijvoorbeeld postgresql+psycopg://pgb@db.internal/pgb.")
    if not secret:
        secret = _dev_secret_key(instance)
    if not database_url:
        make_dir(instance, "PORTAL_INSTANCE_DIR")
        database_url = f"sqlite:///{instance / 'portal.sqlite3'}"
    check_database_url(database_url)

    idle_minutes = _whole_number(env, "PORTAL_SESSION_IDLE_MINUTES", 15, 3, 24 * 60)
    max_hours = _whole_number(env, "PORTAL_SESSION_MAX_HOURS", 12, 1, 7 * 24)
    redis_url = env.get("PORTAL_REDIS_URL", "").strip() or None
    mail = _mail_settings(env, mode)
    payer = {key: env.get(key, "").strip() or (DEMO_PAYER[key] if mode == "development" else None)
             for key in DEMO_PAYER}
    return {
        "PORTAL_ENV": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_UPLOAD_DIR": str(Path(env.get("PORTAL_UPLOAD_DIR") or instance / "uploads").resolve()),
        "PORTAL_REDIS_URL": redis_url,
        # Not from the environment: portal.dates counts in Dutch days (TIMEZONE_NAME).
        "PORTAL_TIMEZONE": TIMEZONE_NAME,
        **payer,
        **mail,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": mode == "production",
        # Sessions live on the server (portal.access.sessions): idle and absolute lifetime.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=idle_minutes),
        "PORTAL_SESSION_MAX_AGE": dt.timedelta(hours=max_hours),
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE_NAME,
        # argon2 cost: the library default in production; tests lower it through their config.
        "PORTAL_ARGON2_FAST": False,
    }
