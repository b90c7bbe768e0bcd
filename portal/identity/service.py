"""Use cases of a login through DigiD or eHerkenning: find the login the identity provider
vouched for, make an organisation's employee login on first use, link a BSN to a login, and
write the audit lines. Never commits; never stores, logs or shows a BSN.

DigiD finds a person's login by users.external_id, a keyed hash of the BSN (rules.digid_
external_id). The household's members.bsn is not used to log in: a member is someone who
receives care (often a child), not necessarily the budget holder, and a child's BSN must never
open the parent's login. A budget holder, representative, advisor or a care provider who is a
person is linked once: `portal link-bsn` (or the demo seed).

eHerkenning finds the care organisation (providers.kvk) by the KvK number in the token; each
person the broker vouches for gets a login of their own under that provider (role
zorgverlener), made at their first login and marked by its external_id, so the payment office's
'Inlogaccounts' shows who logged in this way and can turn such a login off.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import User
from portal.access.service import find_user_by_email, record, unusable_password_hash
from portal.agreements.constants import ProviderKind
from portal.extensions import db
from portal.identity.rules import (
    DIGID,
    REASONS,
    Identity,
    check_bsn,
    digid_external_id,
    eherkenning_external_id,
    refusal,
)
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused, refuse_if
from portal.text import clean_text

# Who logs in with DigiD: people, not organisations or officials.
DIGID_ROLES = frozenset({Role.BUDGETHOUDER, Role.VERTEGENWOORDIGER, Role.ADVISEUR,
                         Role.ZORGVERLENER})

# The e-mail address of an eHerkenning login: never delivered, never a real address (the
# person logs in with eHerkenning only; there is no password to reset).
EHERKENNING_MAIL_DOMAIN = "eherkenning.invalid"


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def record_refused(scheme: dict, code: str) -> None:
    """The audit line of a refused login through an identity provider (no user, no BSN)."""
    record("login_refused", actor=None,
           summary=f"Inloggen met {scheme['label']} geweigerd: {REASONS.get(code, code)}",
           detail={"scheme": scheme["name"], "reason": code})


def _person_login(identity: Identity) -> User | None:
    user = db.session.scalar(select(User).where(
        User.external_id == digid_external_id(_key(), identity.bsn or "")))
    if user is None or Role(user.role) not in DIGID_ROLES:
        return None
    if Role(user.role) == Role.ZORGVERLENER:  # a family member who gives care: a person
        provider = db.session.get(Provider, user.provider_id) if user.provider_id else None
        if provider is None or provider.kind != ProviderKind.PERSOON:
            return None
    return user


def _organisation(kvk: str) -> Provider | None:
    """The care provider with this KvK number (an organisation before a self-employed one;
    the oldest first when the number is known twice)."""
    return db.session.scalars(
        select(Provider).where(Provider.kvk == kvk)
        .order_by((Provider.kind != ProviderKind.ORGANISATIE), Provider.id).limit(1)).first()


def _employee_login(identity: Identity, provider: Provider) -> User:
    """This person's login under the organisation, made at their first login."""
    external_id = eherkenning_external_id(_key(), identity.kvk or "", identity.subject)
    user = db.session.scalar(select(User).where(User.external_id == external_id))
    if user is not None:
        if identity.name and user.name != identity.name:
            user.name = clean_text(identity.name)[:200]
        return user
    name = clean_text(identity.name or "") or f"Medewerker van {provider.name}"
    user = User(email=f"{external_id.partition(':')[2][:24]}@{EHERKENNING_MAIL_DOMAIN}",
                name=name[:200], role=Role.ZORGVERLENER, password_hash=unusable_password_hash(),
                provider_id=provider.id, external_id=external_id)
    db.session.add(user)
    db.session.flush()
    record("account_created", actor=user, object_type="user", object_id=user.id,
           summary=f"Inlog gemaakt via eHerkenning voor {user.name} van {provider.name}",
           detail={"user_id": user.id, "provider_id": provider.id, "scheme": "eherkenning",
                   "establishment": identity.establishment})
    return user


def login_for(scheme: dict, identity: Identity, *, now: dt.datetime) -> User:
    """The login the identity provider vouched for, or Refused (code unknown_person,
    unknown_organisation or login_off; the audit line is the caller's, record_refused).
    Marks the login's last external login."""
    if identity.scheme == DIGID:
        user = _person_login(identity)
        if user is None:
            raise Refused(Refusal("unknown_person", "Wij kennen u nog niet als budgethouder."))
    else:
        provider = _organisation(identity.kvk or "")
        if provider is None:
            raise Refused(Refusal("unknown_organisation",
                                  "Wij kennen uw organisatie nog niet als zorgaanbieder."))
        user = _employee_login(identity, provider)
    if not user.is_active:
        raise Refused(refusal("login_off", scheme["label"]))
    user.external_login_at = now
    db.session.flush()
    return user


def link_bsn(user: User, bsn: str) -> User:
    """Link a BSN to a person's login, so they log in with DigiD: only its keyed hash is kept.
    Refused for a BSN that is no BSN, a login of a role that does not use DigiD here, or a
    BSN another login already has. Audit-logged (without the number)."""
    bsn = (bsn or "").strip()
    refuse_if(check_bsn(bsn))
    if Role(user.role) not in DIGID_ROLES:
        raise Refused(Refusal("role_without_digid", f"Een {Role(user.role).label.lower()} logt "
                              "niet in met DigiD, maar met e-mailadres en wachtwoord."))
    external_id = digid_external_id(_key(), bsn)
    other = db.session.scalar(select(User).where(User.external_id == external_id,
                                                 User.id != user.id))
    if other is not None:
        raise Refused(Refusal("bsn_taken", "Dit burgerservicenummer hoort al bij een andere "
                              "inlog.", "bsn"))
    user.external_id = external_id
    record("digid_linked", actor=None, household_id=user.household_id, object_type="user",
           object_id=user.id, summary=f"DigiD gekoppeld aan de inlog van {user.name}",
           detail={"user_id": user.id})
    db.session.flush()
    return user


def link_bsn_by_email(email: str, bsn: str) -> User:
    user = find_user_by_email(email or "")
    if user is None:
        raise Refused(Refusal("account_unknown", "Er is geen inlog met dit e-mailadres."))
    return link_bsn(user, bsn)

