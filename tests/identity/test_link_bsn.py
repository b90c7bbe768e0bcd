"""`portal link-bsn` and the rules behind it: only a keyed hash of the BSN is kept, and the
rules of a login through an identity provider (pure, no database)."""

from __future__ import annotations

import pytest

from portal.access.constants import Role
from portal.config import OIDC_SCHEMES
from portal.identity.cli import link_bsn_command
from portal.identity.rules import digid_external_id, keyed_hash, loa_enough, read_identity
from tests import factories as f

DIGID = {**OIDC_SCHEMES["digid"], "name": "digid", "claims": {"bsn": "bsn"}, "loa_claim": "acr"}
MIDDEN = OIDC_SCHEMES["digid"]["loa_min"]


def test_link_bsn_asks_for_the_bsn_and_keeps_only_its_keyed_hash(app, db):
    user = f.make_user(Role.VERTEGENWOORDIGER, email="kees@example.nl")
    bsn = f.valid_bsn()
    result = app.test_cli_runner().invoke(link_bsn_command, ["--email", "kees@example.nl"],
                                          input=bsn + "\n")
    assert result.exit_code == 0, result.output
    assert "DigiD is gekoppeld" in result.output and bsn not in result.output
    assert user.external_id == digid_external_id(app.config["SECRET_KEY"], bsn)


@pytest.mark.parametrize(("role", "bsn", "words"), [
    (Role.BUDGETHOUDER, "123456789", "geen geldig burgerservicenummer"),
    (Role.BEHEERDER, None, "logt niet in met DigiD"),
])
def test_link_bsn_refuses_with_one_dutch_line(app, db, role, bsn, words):
    f.make_user(role, email="x@example.nl")
    result = app.test_cli_runner().invoke(link_bsn_command, ["--email", "x@example.nl"],
                                          input=(bsn or f.valid_bsn()) + "\n")
    assert result.exit_code == 1 and words in result.output


def test_one_bsn_belongs_to_one_login(app, db):
    from portal.identity.service import link_bsn
    from portal.refusals import Refused

    bsn = f.valid_bsn()
    link_bsn(f.make_user(Role.BUDGETHOUDER), bsn)
    with pytest.raises(Refused) as refused:
        link_bsn(f.make_user(Role.VERTEGENWOORDIGER), bsn)
    assert refused.value.codes == ["bsn_taken"]


def test_the_keyed_hash_depends_on_the_key():
    assert keyed_hash("a", "bsn", "111222333") != keyed_hash("b", "bsn", "111222333")
    assert len(keyed_hash("a", "bsn", "111222333")) == 64


@pytest.mark.parametrize(("level", "enough"), [
    (MIDDEN, True), (OIDC_SCHEMES["digid"]["loa_levels"][-1], True),
    (OIDC_SCHEMES["digid"]["loa_levels"][0], False), ("onbekend", False), (None, False),
])
def test_the_level_of_assurance(level, enough):
    assert loa_enough(level, OIDC_SCHEMES["digid"]["loa_levels"], MIDDEN) is enough


@pytest.mark.parametrize(("claims", "code"), [
    ({"sub": "x", "acr": MIDDEN}, "claim_missing"),
    ({"sub": "x", "acr": MIDDEN, "bsn": "123456789"}, "claim_invalid"),
    ({"sub": "x", "bsn": "111222333"}, "loa_too_low"),
])
def test_what_a_digid_token_must_carry(claims, code):
    identity, refusals = read_identity(DIGID, claims)
    assert identity is None and [r.code for r in refusals] == [code]


def test_a_good_digid_token():
    identity, refusals = read_identity(DIGID, {"sub": "x", "acr": MIDDEN, "bsn": "111222333"})
    assert refusals == [] and identity.bsn == "111222333"
