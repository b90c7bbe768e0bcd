"""The organisation that runs the portal: who it is and how to reach it (PORTAL_ORG_*), and its
three public pages (Privacy, Toegankelijkheid, Contact).

One home for the service's identity: the header and footer of every page, every error page and
every paper letter read `organisation(config)`. Ground floor: it needs nothing but Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template

# The demo organisation (development and tests): never a real office.
DEMO_ORG = {
    "PORTAL_ORG_NAME": "Betaalkantoor PGB (demo)",
    "PORTAL_ORG_ADDRESS": "Postbus 1234; 3500 AB Utrecht",
    "PORTAL_ORG_PHONE": "030 123 45 67",
    "PORTAL_ORG_HOURS": "maandag tot en met vrijdag van 9.00 tot 17.00 uur",
    "PORTAL_ORG_EMAIL": "info@betaalkantoor-pgb.example",
    "PORTAL_ORG_LOGO": "",
    "PORTAL_ORG_WEBSITE": "http://127.0.0.1:5000",
}
# Needed in production: a public service says who runs it and how to reach it.
REQUIRED_IN_PRODUCTION = ("PORTAL_ORG_NAME", "PORTAL_ORG_ADDRESS", "PORTAL_ORG_PHONE",
                          "PORTAL_ORG_EMAIL")


def org_settings(env: Mapping[str, str], mode: str) -> dict[str, str]:
    """PORTAL_ORG_* from the environment: the demo values in development; in production the
    name, address, phone and e-mail are required (returns the missing names' message)."""
    values = {key: env.get(key, "").strip() for key in DEMO_ORG}
    if mode == "development":
        return {key: values[key] or DEMO_ORG[key] for key in DEMO_ORG}
    return values


def missing_in_production(values: Mapping[str, str]) -> list[str]:
    return [key for key in REQUIRED_IN_PRODUCTION if not values.get(key)]


@dataclass(frozen=True)
class Organisation:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    hours: str
    email: str
    logo: str  # a file under static/, or "" for none
    website: str = ""  # where the portal is, for paper ("" : the paths alone)

    def page_address(self, path: str) -> str:
        """Where a public page is, written out for paper: the website and the path."""
        return f"{self.website.rstrip('/')}{path}" if self.website else path

    @property
    def phone_href(self) -> str:
        """tel: link (digits only, +31 for a Dutch number starting with 0)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        if digits.startswith("0") and not digits.startswith("00"):
            digits = "+31" + digits[1:]
        return "tel:" + digits

    @property
    def contact_line(self) -> str:
        """One line for paper: phone (with hours) and e-mail."""
        hours = f" ({self.hours})" if self.hours else ""
        return f"Bel {self.phone}{hours} of mail naar {self.email}."


def organisation(config: Mapping[str, object] | None = None) -> Organisation:
    config = current_app.config if config is None else config

    def get(key: str) -> str:
        return str(config.get(key) or "").strip()

    address = tuple(line.strip() for line in get("PORTAL_ORG_ADDRESS").split(";") if line.strip())
    return Organisation(name=get("PORTAL_ORG_NAME") or "PGB-portaal", address_lines=address,
                        phone=get("PORTAL_ORG_PHONE"), hours=get("PORTAL_ORG_HOURS"),
                        email=get("PORTAL_ORG_EMAIL"), logo=get("PORTAL_ORG_LOGO"),
                        website=get("PORTAL_ORG_WEBSITE"))


bp = Blueprint("site", __name__)


@bp.app_context_processor
def _organisation_in_templates() -> dict[str, object]:
    return {"org": organisation()}


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html")


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("site/accessibility.html")


@bp.get("/contact")
def contact():
    return render_template("site/contact.html")
