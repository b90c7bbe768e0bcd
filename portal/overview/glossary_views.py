"""Begrippen: the glossary page. Every status word of portal.vocabulary with what it means,
and the other words the pages use; each status has an anchor (#urenbriefje-ingediend) that
the status tags' "Wat betekent dit?" links point to. Public: it holds no personal data."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal import vocabulary

bp = Blueprint("glossary", __name__)


@bp.app_template_global("status_term")
def status_term(kind: str, value: str) -> tuple[str, str]:
    """(label, glossary anchor) of a status, for the status tag macro (macros/ui.html)."""
    found = vocabulary.term(kind, value)
    return found.label, found.anchor(kind, str(value))


@bp.get("/begrippen")
def terms():
    kinds = [(kind, vocabulary.KIND_TITLES[kind], statuses)
             for kind, statuses in vocabulary.STATUSES.items()]
    return render_template("overview/glossary.html", kinds=kinds,
                           glossary=sorted(vocabulary.GLOSSARY.items()))
