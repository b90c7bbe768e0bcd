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
from typing import TypedDict

from portal.dates import TIMEZONE_NAME
from portal.folders import why_not_writable
from portal.organisation import org_settings

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
    # The organisation that runs the portal (portal/organisation.py): header, footer, error
    # pages, letters and the Contact page.
    Setting("PORTAL_ORG_NAME", "Name of the organisation that runs the portal (header, footer, "
            "letters).", "a demo name in development; none in production (a warning at start)"),
    Setting("PORTAL_ORG_LOGO", "Logo file under `static/` (e.g. `img/logo.svg`), shown in the "
            "header and on letters (optional).", "none: the name only"),
    Setting("PORTAL_ORG_ADDRESS", "Postal address, lines separated by `;` (e.g. `Postbus 1234; "
            "3500 AB Utrecht`).", "a demo address in development; none in production"),
    Setting("PORTAL_ORG_PHONE", "Phone number for questions.",
            "a demo number in development; none in production"),
    Setting("PORTAL_ORG_HOURS", "When the phone is answered, e.g. `maandag tot en met vrijdag "
            "van 9.00 tot 17.00 uur` (optional).", "demo hours in development"),
    Setting("PORTAL_ORG_EMAIL", "E-mail address for questions.",
            "a demo address in development; none in production"),
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
    # Logging in with DigiD and eHerkenning through OpenID Connect (portal/identity/).
    Setting("PORTAL_OIDC_DIGID_ISSUER", "DigiD through an OpenID Connect broker: the issuer URL "
            "(its metadata is read from `<issuer>/.well-known/openid-configuration`) or the "
            "metadata URL itself. With the client id and secret it turns on 'Inloggen met "
            "DigiD'.", "none: no DigiD button"),
    Setting("PORTAL_OIDC_DIGID_CLIENT_ID", "The portal's client id at the DigiD broker.", "none"),
    Setting("PORTAL_OIDC_DIGID_CLIENT_SECRET", "The portal's client secret at the DigiD broker.",
            "none"),
    Setting("PORTAL_OIDC_DIGID_SCOPES", "Scopes asked for (`openid` always).", "`openid`"),
    Setting("PORTAL_OIDC_DIGID_BSN_CLAIM", "The ID token claim that carries the BSN.", "`bsn`"),
    Setting("PORTAL_OIDC_DIGID_LOA_CLAIM", "The claim that carries the level of assurance.",
            "`acr`"),
    Setting("PORTAL_OIDC_DIGID_LOA_LEVELS", "The broker's values of that claim, lowest first, "
            "separated by commas.", "DigiD's SAML classes: Basis, Midden, Substantieel, Hoog"),
    Setting("PORTAL_OIDC_DIGID_LOA_MIN", "The lowest accepted level (one of the levels).",
            "Midden (`urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract`)"),
    Setting("PORTAL_OIDC_EHERKENNING_ISSUER", "eHerkenning through an OpenID Connect broker: the "
            "issuer URL or its metadata URL. With the client id and secret it turns on "
            "'Inloggen met eHerkenning'.", "none: no eHerkenning button"),
    Setting("PORTAL_OIDC_EHERKENNING_CLIENT_ID", "The portal's client id at the eHerkenning "
            "broker.", "none"),
    Setting("PORTAL_OIDC_EHERKENNING_CLIENT_SECRET", "The portal's client secret at the "
            "eHerkenning broker.", "none"),
    Setting("PORTAL_OIDC_EHERKENNING_SCOPES", "Scopes asked for (`openid` always).", "`openid`"),
    Setting("PORTAL_OIDC_EHERKENNING_KVK_CLAIM", "The claim that carries the KvK number.",
            "`kvk`"),
    Setting("PORTAL_OIDC_EHERKENNING_ESTABLISHMENT_CLAIM", "The claim that carries the "
            "establishment number (vestigingsnummer; optional in the token).",
            "`vestigingsnummer`"),
    Setting("PORTAL_OIDC_EHERKENNING_LOA_CLAIM", "The claim that carries the level of "
            "assurance.", "`acr`"),
    Setting("PORTAL_OIDC_EHERKENNING_LOA_LEVELS", "The broker's values of that claim, lowest "
            "first, separated by commas.", "`urn:etoegang:core:assurance-class:loa1` ... `loa4`"),
    Setting("PORTAL_OIDC_EHERKENNING_LOA_MIN", "The lowest accepted level (one of the levels).",
            "EH3 (`urn:etoegang:core:assurance-class:loa3`)"),
    Setting("PORTAL_OIDC_TEST_PROVIDER", "Development and tests only: the address "
            "(`http://127.0.0.1:PORT`) of the portal's own OpenID Connect test provider "
            "(`portal oidc-test-provider`, 'Test-DigiD - geen echte inlog'), used for DigiD and "
            "eHerkenning when their own variables are not set. Production refuses to start "
            "with it.", "none (`make run` sets it)"),
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


class SchemeDefaults(TypedDict):
    """What an identity scheme brings before PORTAL_OIDC_<SCHEME>_* is read."""

    label: str
    id_claims: dict[str, str]  # our name -> the broker's claim
    loa_levels: list[str]
    loa_min: str


# DigiD and eHerkenning (portal/identity/): the levels of assurance as brokers send them, lowest
# first, and the default lowest level accepted (DigiD Midden and eHerkenning EH3: two factors).
OIDC_SCHEMES: dict[str, SchemeDefaults] = {
    "digid": {"label": "DigiD", "id_claims": {"bsn": "bsn"},
              "loa_levels": ["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                             "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
                             "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
                             "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"],
              "loa_min": "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"},
    "eherkenning": {"label": "eHerkenning",
                    "id_claims": {"kvk": "kvk", "establishment": "vestigingsnummer"},
                    "loa_levels": [f"urn:etoegang:core:assurance-class:{level}" for level in
                                   ("loa1", "loa2", "loa2plus", "loa3", "loa4")],
                    "loa_min": "urn:etoegang:core:assurance-class:loa3"},
}
# The test provider's own client (portal/identity/testprovider.py): never a real secret.
TEST_PROVIDER_CLIENT = {"client_id": "pgb-portaal-test", "client_secret": "test-geheim-geen-echt"}


def _oidc_url(value: str, setting: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
        raise ConfigError(f"{setting} is geen adres; schrijf het als https://broker.example.nl/"
                          "oidc (het adres van de identity provider of van zijn "
                          ".well-known/openid-configuration).")
    return value.rstrip("/")


def _metadata_url(issuer: str) -> str:
    if issuer.endswith("/.well-known/openid-configuration"):
        return issuer
    return issuer + "/.well-known/openid-configuration"


def _test_provider(env: dict[str, str], mode: str) -> str | None:
    value = env.get("PORTAL_OIDC_TEST_PROVIDER", "").strip().rstrip("/")
    if not value:
        return None
    if mode == "production":
        raise ConfigError("PORTAL_OIDC_TEST_PROVIDER staat aan: de test-provider ('Test-DigiD - "
                          "geen echte inlog') mag nooit in productie draaien. Haal de variabele "
                          "weg en stel PORTAL_OIDC_DIGID_* en PORTAL_OIDC_EHERKENNING_* in.")
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost") \
            or not parts.port or parts.path:
        raise ConfigError(f"PORTAL_OIDC_TEST_PROVIDER is {value!r}; schrijf het als "
                          "http://127.0.0.1:5010 (de test-provider draait alleen op deze "
                          "computer).")
    return value


def oidc_schemes(env: dict[str, str], mode: str) -> dict[str, dict]:
    """PORTAL_OIDC_<SCHEME>_*: the configured identity schemes (none, DigiD, eHerkenning)."""
    test_provider = _test_provider(env, mode)
    schemes = {}
    for name, defaults in OIDC_SCHEMES.items():
        prefix = f"PORTAL_OIDC_{name.upper()}_"

        def get(key: str, prefix=prefix) -> str:
            return env.get(prefix + key, "").strip()

        issuer, client_id, secret = get("ISSUER"), get("CLIENT_ID"), get("CLIENT_SECRET")
        test = False
        if not (issuer or client_id or secret):
            if test_provider is None:
                continue
            issuer, test = f"{test_provider}/{name}", True
            client_id, secret = (TEST_PROVIDER_CLIENT["client_id"],
                                 TEST_PROVIDER_CLIENT["client_secret"])
        for key, value in (("ISSUER", issuer), ("CLIENT_ID", client_id),
                           ("CLIENT_SECRET", secret)):
            if not value:
                raise ConfigError(f"{prefix}{key} ontbreekt: voor inloggen met "
                                  f"{defaults['label']} zijn {prefix}ISSUER, {prefix}CLIENT_ID "
                                  f"en {prefix}CLIENT_SECRET alle drie nodig.")
        issuer = _oidc_url(issuer, prefix + "ISSUER")
        if mode == "production" and not issuer.startswith("https://"):
            raise ConfigError(f"{prefix}ISSUER moet in productie met https:// beginnen.")
        scopes = get("SCOPES").replace(",", " ").split()
        levels = [v.strip() for v in get("LOA_LEVELS").split(",") if v.strip()] \
            or defaults["loa_levels"]
        loa_min = get("LOA_MIN") or defaults["loa_min"]
        if loa_min not in levels:
            raise ConfigError(f"{prefix}LOA_MIN is {loa_min!r}, maar dat staat niet in "
                              f"{prefix}LOA_LEVELS; kies een van: {', '.join(levels)}.")
        claims = {key: get(f"{key.upper()}_CLAIM") or default
                  for key, default in defaults["id_claims"].items()}
        schemes[name] = {
            "name": name, "label": defaults["label"], "metadata_url": _metadata_url(issuer),
            "client_id": client_id, "client_secret": secret,
            "scope": " ".join(["openid"] + [s for s in scopes if s != "openid"]),
            "claims": claims, "loa_claim": get("LOA_CLAIM") or "acr",
            "loa_levels": levels, "loa_min": loa_min, "test_provider": test,
        }
    return schemes


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
    oidc_schemes_ = oidc_schemes(env, mode)
    payer = {key: env.get(key, "").strip() or (DEMO_PAYER[key] if mode == "development" else None)
             for key in DEMO_PAYER}
    org = org_settings(env, mode)  # production without them: a warning at start (create_app)
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
        **org,
        **mail,
        "PORTAL_OIDC_SCHEMES": oidc_schemes_,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # A limited caller learns when to try again: Retry-After (and X-RateLimit-*) headers.
        "RATELIMIT_HEADERS_ENABLED": True,
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
