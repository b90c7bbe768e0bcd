import pytest

from portal.config import ConfigError, load_config

# What production needs to say who runs the portal (portal/organisation.py).
ORG = {"PORTAL_ORG_NAME": "Betaalkantoor Test", "PORTAL_ORG_ADDRESS": "Postbus 1; 1000 AA Stad",
       "PORTAL_ORG_PHONE": "010 123 45 67", "PORTAL_ORG_EMAIL": "vragen@test.example"}


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        load_config({"PORTAL_ENV": "production", "PORTAL_INSTANCE_DIR": str(tmp_path),
                     "PORTAL_DATABASE_URL": "postgresql+psycopg://db/pgb"})


def test_production_refuses_a_short_secret_and_a_missing_database(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        load_config({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "short",
                     "PORTAL_DATABASE_URL": "postgresql+psycopg://db/pgb"})
    with pytest.raises(ConfigError, match="PORTAL_DATABASE_URL"):
        load_config({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32})


def test_production_with_both_settings_starts(tmp_path):
    config = load_config({**ORG, "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32,
                          "PORTAL_DATABASE_URL": "postgresql+psycopg://db/pgb",
                          "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
                          "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_development_generates_a_secret_key_once_and_defaults_to_sqlite(tmp_path):
    first = load_config({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    second = load_config({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_mode_is_refused():
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        load_config({"PORTAL_ENV": "staging"})


def test_the_time_zone_is_not_a_setting(tmp_path):
    """Dates count in Europe/Amsterdam whatever the environment says (README: not a setting)."""
    from portal.config import PROJECT_ROOT
    from portal.dates import TZ

    config = load_config({"PORTAL_TIMEZONE": "America/New_York",
                          "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert config["BABEL_DEFAULT_TIMEZONE"] == config["PORTAL_TIMEZONE"] == "Europe/Amsterdam"
    assert str(TZ) == "Europe/Amsterdam"
    assert "PORTAL_TIMEZONE" not in (PROJECT_ROOT / "README.md").read_text()


@pytest.mark.parametrize("url, says", [
    ("garbage", "PORTAL_DATABASE_URL is geen database-adres"),
    ("postgresql+psycopg://postgres:geheim@127.0.0.1:notaport/x",
     "PORTAL_DATABASE_URL is geen database-adres"),
    ("mysql://x:geheim@y/z", "PORTAL_DATABASE_URL wijst naar mysql"),
])
def test_a_database_url_the_portal_cannot_use_is_refused_without_echoing_it(tmp_path, url, says):
    with pytest.raises(ConfigError) as error:
        load_config({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_DATABASE_URL": url})
    assert says in str(error.value) and "geheim" not in str(error.value)


@pytest.mark.parametrize("setting", ["PORTAL_INSTANCE_DIR", "PORTAL_UPLOAD_DIR"])
def test_a_folder_that_cannot_be_made_is_refused_by_its_setting(tmp_path, setting):
    from portal import create_app

    blocked = tmp_path / "een-bestand"
    blocked.write_text("geen map")
    environ = {"PORTAL_INSTANCE_DIR": str(tmp_path / "instance"), setting: str(blocked / "map")}
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ)
    assert str(error.value).startswith(f"{setting}: de map ")
    assert "kan niet gemaakt worden" in str(error.value)


def test_session_lifetimes_come_from_the_environment(tmp_path):
    import datetime as dt

    base = {"PORTAL_INSTANCE_DIR": str(tmp_path)}
    default = load_config(base)
    assert default["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=15)
    assert default["PORTAL_SESSION_MAX_AGE"] == dt.timedelta(hours=12)
    chosen = load_config({**base, "PORTAL_SESSION_IDLE_MINUTES": "30",
                          "PORTAL_SESSION_MAX_HOURS": "8"})
    assert chosen["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)
    assert chosen["PORTAL_SESSION_MAX_AGE"] == dt.timedelta(hours=8)


@pytest.mark.parametrize("setting, value", [
    ("PORTAL_SESSION_IDLE_MINUTES", "kwartier"), ("PORTAL_SESSION_IDLE_MINUTES", "0"),
    ("PORTAL_SESSION_MAX_HOURS", "-1"), ("PORTAL_SESSION_MAX_HOURS", "9999"),
])
def test_a_session_lifetime_that_is_no_sensible_number_is_refused(tmp_path, setting, value):
    with pytest.raises(ConfigError, match=f"{setting} is .*heel getal"):
        load_config({"PORTAL_INSTANCE_DIR": str(tmp_path), setting: value})


def test_rate_limits_are_counted_in_redis_when_portal_redis_url_is_set(tmp_path):
    """Every gunicorn worker counts a key's calls in the same place: Redis, not its own memory."""
    from limits.storage import MemoryStorage, RedisStorage, storage_from_string

    production = load_config({**ORG, "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32,
                              "PORTAL_DATABASE_URL": "postgresql+psycopg://db/pgb",
                              "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/0",
                              "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert isinstance(storage_from_string(production["RATELIMIT_STORAGE_URI"]), RedisStorage)
    assert production["RATELIMIT_HEADERS_ENABLED"] is True  # Retry-After on a 429
    embedded = load_config({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert isinstance(storage_from_string(embedded["RATELIMIT_STORAGE_URI"]), MemoryStorage)


def test_the_organisation_comes_from_the_environment_with_a_demo_in_development(tmp_path):
    env = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32,
           "PORTAL_DATABASE_URL": "postgresql+psycopg://db/pgb", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    assert load_config(env)["PORTAL_ORG_NAME"] == ""  # never a demo name in production
    assert load_config({**env, **ORG})["PORTAL_ORG_NAME"] == "Betaalkantoor Test"
    development = load_config({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert "demo" in development["PORTAL_ORG_NAME"] and development["PORTAL_ORG_PHONE"]


def test_production_without_the_organisation_warns_at_start(tmp_path, caplog):
    from portal import create_app

    create_app(environ={"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32,
                        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                        "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_ORG_NAME": "Kantoor"})
    assert "PORTAL_ORG_ADDRESS, PORTAL_ORG_PHONE, PORTAL_ORG_EMAIL" in caplog.text
