"""PORTAL_OIDC_*: DigiD and eHerkenning are set only through the environment; a setting the
portal cannot use stops it with one Dutch line naming it; the test provider never in production."""

from __future__ import annotations

import pytest

from portal.config import ConfigError, oidc_schemes
from portal.demo.seed import DEMO_LOGINS
from portal.identity.rules import check_bsn

REAL = {"PORTAL_OIDC_DIGID_ISSUER": "https://broker.example.nl/digid",
        "PORTAL_OIDC_DIGID_CLIENT_ID": "pgb", "PORTAL_OIDC_DIGID_CLIENT_SECRET": "geheim"}


def test_nothing_set_means_no_schemes():
    assert oidc_schemes({}, "production") == {}


def test_a_real_broker_from_the_environment():
    digid = oidc_schemes({**REAL, "PORTAL_OIDC_DIGID_SCOPES": "openid,bsn",
                          "PORTAL_OIDC_DIGID_BSN_CLAIM": "urn:nl:bsn"}, "production")["digid"]
    assert digid["metadata_url"] == "https://broker.example.nl/digid/.well-known/openid-configuration"
    assert digid["scope"] == "openid bsn" and digid["claims"] == {"bsn": "urn:nl:bsn"}
    assert digid["loa_min"].endswith("MobileTwoFactorContract") and not digid["test_provider"]


@pytest.mark.parametrize(("env", "words"), [
    ({"PORTAL_OIDC_DIGID_ISSUER": "https://broker.example.nl"}, "PORTAL_OIDC_DIGID_CLIENT_ID ontbreekt"),
    ({**REAL, "PORTAL_OIDC_DIGID_ISSUER": "broker"}, "PORTAL_OIDC_DIGID_ISSUER is geen adres"),
    ({**REAL, "PORTAL_OIDC_DIGID_ISSUER": "http://broker.example.nl"}, "moet in productie met https://"),
    ({**REAL, "PORTAL_OIDC_DIGID_LOA_MIN": "hoog"}, "PORTAL_OIDC_DIGID_LOA_MIN is 'hoog'"),
    ({"PORTAL_OIDC_TEST_PROVIDER": "http://127.0.0.1:5010"}, "nooit in productie"),
])
def test_a_setting_the_portal_cannot_use_stops_it_with_one_dutch_line(env, words):
    with pytest.raises(ConfigError) as refused:
        oidc_schemes(env, "production")
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_the_test_provider_only_on_this_machine():
    with pytest.raises(ConfigError, match="alleen op deze computer"):
        oidc_schemes({"PORTAL_OIDC_TEST_PROVIDER": "http://10.0.0.5:5010"}, "development")
    schemes = oidc_schemes({"PORTAL_OIDC_TEST_PROVIDER": "http://127.0.0.1:5010"}, "development")
    assert set(schemes) == {"digid", "eherkenning"}
    assert schemes["digid"]["test_provider"] is True


def test_the_portal_refuses_to_start_in_production_with_the_test_provider(tmp_path):
    from portal import create_app

    with pytest.raises(ConfigError, match="Test-DigiD"):
        create_app(environ={"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 64,
                            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                            "PORTAL_INSTANCE_DIR": str(tmp_path),
                            "PORTAL_OIDC_TEST_PROVIDER": "http://127.0.0.1:5010"})


def test_the_demo_bsns_are_valid_and_in_the_readme():
    from tests.test_readme import README

    for demo in DEMO_LOGINS:
        if demo.bsn:
            assert not check_bsn(demo.bsn), demo.email
            assert f"BSN `{demo.bsn}`" in README, demo.email
