"""API keys: made and revoked by the payment office, found by the hash of their token.

Never commits (the request or the CLI does). The token is returned once, by create_api_key,
and never stored: only its SHA-256 (rules.token_hash).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from portal.access.constants import Role
from portal.access.models import User, machine_email
from portal.access.permissions import require_office
from portal.access.service import record, unusable_password_hash
from portal.agreements.constants import ProviderKind
from portal.api import rules
from portal.api.constants import TOKEN_PREFIX, OwnerKind
from portal.api.models import ApiKey
from portal.budgets.models import Funder
from portal.database import rowcount
from portal.dates import format_day, now
from portal.extensions import db
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused, refuse_if

ROLE_OF = {OwnerKind.PROVIDER: Role.ZORGVERLENER, OwnerKind.FUNDER: Role.CONSULENT,
           OwnerKind.OFFICE: Role.BEHEERDER}
OFFICE_NAME = "het betaalkantoor"
ALREADY_REVOKED = Refusal("already_done", "Dit is al gedaan: de sleutel is al ingetrokken.")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def owner_name(key: ApiKey) -> str:
    if key.provider_id is not None:
        return db.session.get_one(Provider, key.provider_id).name
    if key.funder_id is not None:
        return db.session.get_one(Funder, key.funder_id).name
    return OFFICE_NAME


def describe(key: ApiKey) -> str:
    """How the audit log names the key: "API-sleutel Planning (pgb_AbC...) van organisatie X"."""
    return f"API-sleutel {key.label} ({key.prefix}…) van organisatie {owner_name(key)}"


def create_api_key(actor: User | None, *, label: str, owner_kind: str,
                   provider_id: int | None = None, funder_id: int | None = None,
                   scopes: list[str], expires_on: dt.date | None, today: dt.date,
                   token: str | None = None) -> tuple[ApiKey, str]:
    """A new key for a care organisation, a funder or the payment office itself. Returns the
    key and its token, which is shown once. `token` is given only by the demo seed."""
    require_office(actor, "API-sleutels maken")
    label = (label or "").strip()
    owner_known = False
    if owner_kind == OwnerKind.PROVIDER and provider_id is not None:
        provider = db.session.get(Provider, provider_id)
        owner_known = provider is not None and provider.kind == ProviderKind.ORGANISATIE
        funder_id = None
    elif owner_kind == OwnerKind.FUNDER and funder_id is not None:
        owner_known = db.session.get(Funder, funder_id) is not None
        provider_id = None
    elif owner_kind == OwnerKind.OFFICE:
        owner_known, provider_id, funder_id = True, None, None
    scopes = sorted(set(scopes or []))
    refuse_if(rules.check_new_key(label=label, owner_kind=owner_kind, owner_known=owner_known,
                                  scopes=scopes, expires_on=expires_on, today=today))
    assert expires_on is not None  # check_new_key refused a key without an end date
    token = token or new_token()
    kind = OwnerKind(owner_kind)
    # The key's own account: the organisation's role and link, no password, turned off (it
    # can never log in, gets no messages and does not count as the organisation's login:
    # portal.access.models.User.is_machine).
    account = User(email=machine_email(f"api-{secrets.token_hex(8)}"),
                   name=f"API-sleutel {label}", role=ROLE_OF[kind],
                   password_hash=unusable_password_hash(), is_active_account=False,
                   provider_id=provider_id, funder_id=funder_id)
    db.session.add(account)
    db.session.flush()
    key = ApiKey(label=label, owner_kind=kind.value, provider_id=provider_id, funder_id=funder_id,
                 user_id=account.id, prefix=token[:12], token_hash=rules.token_hash(token),
                 scopes=scopes, expires_on=expires_on,
                 created_by_id=actor.id if actor else None)
    db.session.add(key)
    db.session.flush()
    record("api_key_created", actor=actor, object_type="api_key", object_id=key.id,
           summary=f"{describe(key)} gemaakt, geldig tot en met {format_day(expires_on)}, "
                   f"rechten: {', '.join(scopes)}")
    return key, token


def revoke_api_key(actor: User | None, key_id: int) -> ApiKey:
    """Revoke a key at once (compare-and-set: a second revoke is 'already_done')."""
    require_office(actor, "API-sleutels intrekken")
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise Refused(Refusal("not_found", "Deze sleutel bestaat niet."))
    moment = now()
    done = rowcount(db.session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=moment).execution_options(synchronize_session=False)))
    if not done:
        raise Refused(ALREADY_REVOKED)
    db.session.refresh(key)
    record("api_key_revoked", actor=actor, object_type="api_key", object_id=key.id,
           summary=f"{describe(key)} ingetrokken")
    return key


def key_for_token(token: str | None, today: dt.date) -> ApiKey | None:
    """The key with this token, if it is neither revoked nor past its end date."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.token_hash == rules.token_hash(token)))
    if key is None or key.revoked_at is not None or key.expires_on < today:
        return None
    return key


@dataclass(frozen=True)
class KeyRow:
    id: int
    label: str
    prefix: str
    owner: str
    scopes: list[str]
    expires_on: dt.date
    revoked: bool
    expired: bool

    @property
    def status(self) -> str:
        """One of portal.vocabulary.API_KEY's statuses."""
        return "ingetrokken" if self.revoked else "verlopen" if self.expired else "actief"


def key_rows(today: dt.date) -> list[KeyRow]:
    """Every key for the office's page, newest first (three queries)."""
    keys = list(db.session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
    providers = dict(db.session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_({k.provider_id for k in keys if k.provider_id}))).all())
    funders = dict(db.session.execute(select(Funder.id, Funder.name).where(
        Funder.id.in_({k.funder_id for k in keys if k.funder_id}))).all())
    return [KeyRow(id=k.id, label=k.label, prefix=k.prefix,
                   owner=(providers.get(k.provider_id) if k.provider_id
                          else funders.get(k.funder_id) if k.funder_id else OFFICE_NAME) or "",
                   scopes=list(k.scopes), expires_on=k.expires_on,
                   revoked=k.revoked_at is not None, expired=k.expires_on < today)
            for k in keys]
