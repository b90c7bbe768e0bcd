"""Signing an agreement version: sharing it with the provider, the provider's and the holder's
signatures, the signed paper, and handing it to the funder. Use cases: they add and flush,
never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from portal.access.models import User
from portal.agreements.changes import (
    NOT_ALLOWED,
)
from portal.agreements.constants import (
    Action,
    Party,
    ProviderKind,
    VersionStatus,
)
from portal.agreements.funder_review import funder_names_of_version
from portal.agreements.lifecycle import (
    check_transition,
    next_status,
)
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementVersion,
)
from portal.agreements.permissions import funder_ids_of_version, parties_of
from portal.agreements.rules import ProviderFacts
from portal.agreements.service import (
    ENDED,
    PROVIDER_CHANGEABLE,
    _audit,
    _check_step,
    _consulent_user_ids,
    _ended,
    _event,
    _holder_user_ids,
    _move,
    _notify,
    _office_user_ids,
    _on_behalf_of,
    _provider_user_ids,
    _verdict,
    _version_draft,
    draft_verdict,
    open_version,
)
from portal.agreements.storage import check_upload, store_document
from portal.agreements.titles import agreement_title
from portal.dates import now
from portal.extensions import db
from portal.providers.models import Provider
from portal.providers.rules import (
    check_provider_fields,
)
from portal.refusals import Refusal, Refused, refuse_if


def share(actor: User, version: AgreementVersion, today: dt.date) -> AgreementVersion:
    """The budget holder shares a complete concept with the provider, who completes and signs."""
    refusals = _check_step(actor, version, Action.SHARE, today)
    if not refusals:
        refusals = draft_verdict(version, today).refusals
    refuse_if(refusals)
    agreement = version.agreement
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    _move(version, VersionStatus.GEDEELD, actor=actor, on_behalf_of=on_behalf_of)
    _audit("share", actor, agreement, version, f"{agreement.reference} gedeeld met de "
           "zorgverlener", on_behalf_of=on_behalf_of)
    provider_users = _provider_user_ids(agreement.provider_id)
    _notify(provider_users, "agreement_shared",
            f"Zorgovereenkomst {agreement.reference} klaar om te ondertekenen",
            "De budgethouder heeft een zorgovereenkomst met u gedeeld. Controleer en vul uw "
            "gegevens aan en onderteken de overeenkomst.", agreement=agreement, actor=actor)
    if not provider_users:  # the payment office makes the provider a login (step 2 says so)
        provider = agreement.provider
        _notify(_office_user_ids(), "provider_login_needed",
                f"Zorgverlener {provider.name} heeft een inlog nodig",
                f"Overeenkomst {agreement.reference} is gedeeld met {provider.name} "
                f"(zorgverlener {provider.id}), die nog geen inlog heeft. E-mailadres: "
                f"{provider.email or 'niet bekend'}. Maak een inlog met de rol zorgverlener voor "
                "deze zorgverlener, zodat de overeenkomst ondertekend kan worden.")
    db.session.flush()
    return version


def withdraw(actor: User, version: AgreementVersion, today: dt.date) -> AgreementVersion:
    """The budget holder takes a shared version back from the provider: a concept again, to
    correct and share once more, or to leave. A signature the provider already gave is void
    (the content may change); the provider is told. A repeat is AlreadyDone."""
    refuse_if(_check_step(actor, version, Action.WITHDRAW, today))
    agreement = version.agreement
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    was_signed = version.signed_by_provider_at is not None
    version.signed_by_provider_at = version.signed_by_holder_at = None
    reason = "Teruggehaald door de budgethouder"
    if was_signed:
        reason += "; de handtekening van de zorgverlener vervalt"
    _move(version, next_status(Action.WITHDRAW), actor=actor, on_behalf_of=on_behalf_of,
          reason=reason)
    _audit("withdraw", actor, agreement, version, f"{agreement.reference} teruggehaald bij de "
           "zorgverlener", on_behalf_of=on_behalf_of)
    title = agreement_title(agreement.id) or agreement.reference
    body = ("De budgethouder heeft de zorgovereenkomst teruggehaald, bijvoorbeeld om iets te "
            "verbeteren. U hoeft nu niets te doen. Deelt de budgethouder de overeenkomst "
            "opnieuw, dan krijgt u een bericht en ondertekent u opnieuw.")
    if was_signed:
        body += " Uw handtekening onder de vorige inhoud vervalt."
    _notify(_provider_user_ids(agreement.provider_id), "agreement_withdrawn",
            f"Teruggehaald: {title}", body, agreement=agreement, actor=actor)
    db.session.flush()
    return version


def _signing_details(provider: Provider, version: AgreementVersion) -> dict[str, str | None]:
    """What the provider sees and may change when signing: their details, and the IBAN of this
    agreement (not the provider's registered one: a provider may use another account for
    another household)."""
    details = {f: getattr(provider, f) for f in PROVIDER_CHANGEABLE}
    details["iban"] = version.iban or provider.iban
    return details


def signing_details(version: AgreementVersion) -> dict[str, str | None]:
    """The details the provider's signing form starts with (name, IBAN of this agreement, ...)."""
    return _signing_details(version.agreement.provider, version)


def _provider_changes(provider: Provider, version: AgreementVersion,
                      changes: Mapping[str, str | None] | None) -> tuple[dict, list[Refusal]]:
    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(PROVIDER_CHANGEABLE))
    refusals = []
    if unknown:
        refusals.append(Refusal("change_not_allowed", "U kunt bij het ondertekenen alleen uw "
                                "naam, IBAN, e-mailadres, KvK-nummer en AGB-code aanpassen."))
    current = _signing_details(provider, version)
    merged = {**current, **{k: v for k, v in changes.items() if k in PROVIDER_CHANGEABLE}}
    values, found = check_provider_fields(ProviderKind(provider.kind), merged["name"],
                                           merged["iban"], merged["kvk"], merged["agb"],
                                           merged["email"])
    refusals += found
    return {f: values[f] for f in PROVIDER_CHANGEABLE if values[f] != current[f]}, refusals


def provider_details_refusals(version: AgreementVersion,
                              changes: Mapping[str, str | None]) -> list[Refusal]:
    """What is wrong with the details a provider typed (before the check page shows them);
    provider_sign checks them again, writing nothing when one is wrong."""
    return _provider_changes(version.agreement.provider, version, changes)[1]


def provider_sign(actor: User, version: AgreementVersion, today: dt.date,
                  changes: Mapping[str, str | None] | None = None,
                  checked: str | None = None) -> AgreementVersion:
    """The provider completes (may change IBAN and details) and signs a shared version.
    `checked`: the token of the provider's check page; the version must still be that one."""
    agreement = version.agreement
    provider = agreement.provider
    refusals = _check_step(actor, version, Action.PROVIDER_SIGN, today, checked)
    changed, found = _provider_changes(provider, version, changes)
    refusals += found
    if not refusals:
        facts = ProviderFacts(ProviderKind(provider.kind), changed.get("kvk", provider.kvk),
                              changed.get("agb", provider.agb),
                              name=changed.get("name", provider.name),
                              iban=changed.get("iban", version.iban or provider.iban),
                              email=changed.get("email", provider.email))
        refusals += _verdict(_version_draft(version), facts, today).refusals
    refuse_if(refusals)

    old = {f: v for f, v in _signing_details(provider, version).items() if f in changed}
    for field, value in changed.items():
        if field == "iban":  # this agreement's account only; other households' stay as they are
            version.iban = value
        else:
            setattr(provider, field, value)
    version.signed_by_provider_at = now()
    names = {"name": "naam", "iban": "IBAN", "email": "e-mailadres", "kvk": "KvK-nummer",
             "agb": "AGB-code"}
    reason = "Ondertekend door de zorgverlener"
    if changed:
        reason += "; gewijzigd: " + ", ".join(names[f] for f in changed)
    _event(agreement, version, version.status, version.status, actor=actor, reason=reason)
    _audit("provider_sign", actor, agreement, version, reason,
           detail={"changes": {f: {"old": old[f], "new": changed[f]} for f in changed}} if changed
           else None)
    body = "Controleer de overeenkomst en onderteken hem ook."
    if changed:
        body = ("De zorgverlener heeft gegevens aangepast (" + ", ".join(names[f] for f in changed)
                + "). Controleer die goed voordat u ondertekent.")
    _notify(_holder_user_ids(agreement.household_id), "agreement_provider_signed",
            f"Zorgverlener heeft {agreement.reference} ondertekend", body,
            agreement=agreement, actor=actor)
    db.session.flush()
    return version


def _submit(version: AgreementVersion) -> None:
    """Both signed: the portal hands the version to the funder(s) at once."""
    assert not check_transition(Action.SUBMIT, VersionStatus(version.status),
                                      {Party.SYSTEM})
    agreement = version.agreement
    # A new round: every funder concerned decides (again), earlier decisions no longer count.
    version.review_round = (version.review_round or 0) + 1
    _move(version, next_status(Action.SUBMIT), actor=None,
          reason="Automatisch ingediend na ondertekening")
    funder_ids = funder_ids_of_version(version)
    _notify(_consulent_user_ids(funder_ids), "agreement_to_review",
            f"Zorgovereenkomst {agreement.reference} ter beoordeling",
            "Een zorgovereenkomst wacht op uw beoordeling.", agreement=agreement)
    _notify(_provider_user_ids(agreement.provider_id), "agreement_submitted",
            f"Zorgovereenkomst {agreement.reference} is ondertekend",
            "Beide partijen hebben ondertekend. "
            f"{' en '.join(funder_names_of_version(version)) or 'De financier'} "
            "beoordeelt de overeenkomst nu.",
            agreement=agreement)


def holder_sign(actor: User, version: AgreementVersion, today: dt.date,
                checked: str | None = None) -> AgreementVersion:
    """The budget holder checks the provider's changes and signs; then it goes to the funder.
    `checked`: the token of the holder's check page; the version must still be that one."""
    refusals = _check_step(actor, version, Action.HOLDER_SIGN, today, checked)
    if not refusals:
        refusals = draft_verdict(version, today).refusals
    refuse_if(refusals)
    agreement = version.agreement
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    version.signed_by_holder_at = now()
    _move(version, VersionStatus.ONDERTEKEND, actor=actor, on_behalf_of=on_behalf_of,
          reason="Ondertekend door de budgethouder")
    _audit("holder_sign", actor, agreement, version, f"{agreement.reference} ondertekend",
           on_behalf_of=on_behalf_of)
    _submit(version)
    db.session.flush()
    return version


def attach_signed_paper(actor: User, agreement: Agreement, data: bytes, filename: str | None,
                        today: dt.date) -> AgreementDocument:
    """Paper route: the uploaded signed PDF counts as both signatures; then to the funder."""
    version = open_version(agreement)
    if version is None or version.status not in (VersionStatus.CONCEPT, VersionStatus.GEDEELD):
        latest = agreement.versions[-1] if agreement.versions else None
        state = f" De overeenkomst heeft de status '{latest.status.label}'." if latest else ""
        refusals = [Refusal("wrong_status", "Er is geen concept om een ondertekende versie bij "
                            "te uploaden." + state)]
        if _ended(agreement):
            refusals.append(ENDED)
        if not parties_of(actor, agreement, None, today) & {Party.HOLDER}:
            refusals.insert(0, NOT_ALLOWED)
        raise Refused(refusals)
    refusals = _check_step(actor, version, Action.UPLOAD_PAPER, today)
    pdf = check_upload(data, filename)
    if not refusals:
        refusals = draft_verdict(version, today).refusals + pdf.refusals
    refuse_if(refusals)
    page_count = pdf.page_count
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)

    doc = store_document(agreement.id, pdf.data, filename, page_count=page_count,
                         uploaded_by_id=actor.id)
    signed_at = now()
    version.document_id = doc.id
    version.signed_on_paper = True
    version.signed_by_holder_at = version.signed_by_provider_at = signed_at
    _move(version, VersionStatus.ONDERTEKEND, actor=actor, on_behalf_of=on_behalf_of,
          reason="Ondertekend op papier (PDF geüpload)")
    _audit("paper_upload", actor, agreement, version, f"Ondertekende {agreement.reference} "
           f"geüpload ({doc.original_name}, {page_count} pagina's)", on_behalf_of=on_behalf_of,
           detail={"document_id": doc.id, "sha256": doc.sha256})
    _submit(version)
    db.session.flush()
    return doc
