"""The security headers of every answer: pages, downloads, PDFs, error pages and redirects.

Set by flask-talisman (registered in portal.create_app), one after_request hook for every
response Flask finalises - also the error handlers' pages and the plain fallback error page.

- Content-Security-Policy: scripts, styles, images and forms only from the portal itself, no
  inline script or style (templates/ has none: static/js and static/css), no plugins, no
  <base>, and no page of the portal inside a frame (frame-ancestors 'none').
- X-Frame-Options DENY (older browsers), X-Content-Type-Options nosniff,
  Referrer-Policy same-origin, a Permissions-Policy that switches off what the portal never uses.
- Strict-Transport-Security only in production (PORTAL_ENV=production), and only on an answer
  that went out over HTTPS (directly or, behind the proxy, X-Forwarded-Proto: https).

Two kinds of answer get a policy of their own (only the file itself: a redirect or error page
of the same address keeps the pages' policy):
- an uploaded file goes out through `as_uploaded_file`: an attachment with UPLOADED_FILE_CSP,
  so nothing in it may run or load anything, even when a browser opens it;
- a PDF the portal made itself (paper documents, shown in the browser) gets OWN_PDF_CSP: no
  framing, but no `object-src 'none'` or `default-src` either, because Chrome shows a PDF
  through a built-in plugin element that those would block ("this content is blocked",
  crbug.com/271452). Our PDFs come from our own templates and hold no script.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}
# A file someone uploaded (a signed scan): nothing of it runs, nothing loads, its own origin.
UPLOADED_FILE_CSP = "default-src 'none'; sandbox"
# A PDF of our own, shown by the browser's PDF viewer: not in a frame, no base, no forms.
OWN_PDF_CSP = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Features the portal never uses, off for its pages and anything in them.
PERMISSIONS_POLICY = {feature: "()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
)}
HSTS_MAX_AGE = 365 * 24 * 60 * 60


def identity_provider_origins(schemes: dict[str, dict]) -> list[str]:
    """The origins (scheme://host:port) of the configured DigiD/eHerkenning providers: logging
    out is a form POST that ends in a redirect to the provider's end-session address, and a
    browser holds a redirect after a form to the form-action policy too."""
    from urllib.parse import urlsplit

    origins = []
    for scheme in schemes.values():
        parts = urlsplit(scheme["metadata_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


def register_security_headers(app: Flask) -> None:
    """One Talisman per app (its settings live on the instance: a shared one would let the last
    app made, e.g. a production app in a test, decide for all)."""
    production = app.config.get("PORTAL_ENV") == "production"

    # Flask runs after_request hooks in reverse order: this one runs after Talisman's.
    app.after_request(_policy_of_files)
    app.extensions["talisman"] = Talisman(
        app,
        # TLS ends at the proxy in front of gunicorn; the proxy redirects http to https.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        # The session cookie settings stay those of portal.config (talisman would set its own).
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )


def as_uploaded_file(response: Response) -> Response:
    """`response` carries a file a user uploaded: served as an attachment, sandboxed."""
    response.headers["Content-Disposition"] = response.headers.get(
        "Content-Disposition", "attachment").replace("inline", "attachment", 1)
    response.portal_uploaded_file = True  # type: ignore[attr-defined]
    return response


def _policy_of_files(response: Response) -> Response:
    origins = identity_provider_origins(current_app.config.get("PORTAL_OIDC_SCHEMES") or {})
    policy = response.headers.get("Content-Security-Policy", "")
    if origins and "form-action 'self'" in policy:
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", " ".join(["form-action 'self'", *origins]), 1)
    if getattr(response, "portal_uploaded_file", False):
        response.headers["Content-Security-Policy"] = UPLOADED_FILE_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
    elif response.mimetype == "application/pdf":
        response.headers["Content-Security-Policy"] = OWN_PDF_CSP
    return response
