"""ASVS V14.4 (HTTP security headers): every answer of the portal carries them - pages,
redirects, error pages (also the plain fallback page), our PDFs, an uploaded file, the SEPA
file, static files; HSTS only in production."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.headers import OWN_PDF_CSP, UPLOADED_FILE_CSP
from tests.test_permission_matrix import TABLE, app_routes, build_world

# The roles that together get every kind of answer of the matrix: the login redirect and the
# public pages (anon), the household's pages, PDFs and 403s (holder, advisor), the provider's,
# the consulent's and the office's own pages, the SEPA file, and 404s for everyone else's.
WALKERS = ["anon", "holder_a", "advisor", "provider", "consulent_a", "office"]

PAGE_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "form-action": "'self'", "base-uri": "'self'", "object-src": "'none'",
    "frame-ancestors": "'none'",
}


def csp_of_text(value: str) -> dict[str, str]:
    """A CSP as {directive: sources}."""
    parts = [p.strip().split(None, 1) for p in value.split(";") if p.strip()]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def csp_of(response) -> dict[str, str]:
    return csp_of_text(response.headers.get("Content-Security-Policy", ""))


def header_problems(response, csp=None) -> list[str]:
    """What is missing or wrong in the answer's security headers (empty: all there)."""
    h = response.headers
    want = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin"}
    problems = [f"{name}={h.get(name)!r}" for name, value in want.items() if h.get(name) != value]
    got = csp_of(response)
    if got != (csp or PAGE_CSP):
        problems.append(f"CSP={h.get('Content-Security-Policy')!r}")
    if "unsafe-inline" in h.get("Content-Security-Policy", ""):
        problems.append("CSP allows unsafe-inline")
    policy = h.get("Permissions-Policy", "")
    if not all(f"{feature}=()" in policy for feature in ("camera", "geolocation", "microphone")):
        problems.append(f"Permissions-Policy={policy!r}")
    if "Strict-Transport-Security" in h:
        problems.append("HSTS outside production")
    return problems


@pytest.mark.parametrize("role", WALKERS)
def test_v14_4_every_route_of_the_matrix_carries_the_security_headers(role, app, client, db,
                                                                      login, tmp_path,
                                                                      monkeypatch):
    """V14.4.3 (CSP), V14.4.4 (nosniff), V14.4.5 (HSTS not in development), V14.4.6
    (Referrer-Policy), V14.4.7 (framing): on every route x method of the permission matrix."""
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path))
    with app.test_request_context():
        world = build_world(db)
    if role != "anon":
        login(world["users"][role])
    wrong, kinds = [], set()
    for key, r in TABLE.items():
        if key not in app_routes(app) or key == ("access.logout", "POST"):
            continue
        response = client.open(r.path.format(**world["ids"]), method=r.method)
        kinds.add((response.status_code, response.mimetype))
        upload = key == ("agreements.document", "GET") and response.status_code == 200
        assert not upload or response.headers["Content-Disposition"].startswith("attachment")
        expected = (csp_of_text(UPLOADED_FILE_CSP) if upload
                    else csp_of_text(OWN_PDF_CSP) if response.mimetype == "application/pdf"
                    else None)
        problems = header_problems(response, expected)
        if problems:
            wrong.append(f"{key[0]} {r.method} -> {response.status_code}: {problems}")
    assert wrong == []
    assert any(status == 302 for status, _ in kinds)  # the walk met redirects too
    if role == "office":
        assert {(200, "application/pdf"), (200, "text/html"), (409, "text/html")} <= kinds
        assert any(mime.endswith("xml") for status, mime in kinds if status == 200)  # SEPA
    if role == "advisor":
        assert {(403, "text/html"), (404, "text/html")} <= kinds


def test_v14_4_error_pages_and_static_files_carry_them(client, db, monkeypatch):
    """V14.4.1-7 on a 404 page, a 405, the fallback error page (the error page itself failed)
    and a static file."""
    assert header_problems(client.get("/bestaat-niet")) == []
    assert header_problems(client.put("/inloggen")) == []
    with client.get("/static/css/portal.css") as static:
        assert header_problems(static) == []

    def broken(*args, **kwargs):
        raise RuntimeError("the error page cannot be rendered")

    monkeypatch.setattr("portal.render_template", broken)
    fallback = client.get("/bestaat-ook-niet")
    assert fallback.status_code == 404 and "Er ging iets mis" in fallback.get_data(as_text=True)
    assert header_problems(fallback) == []


def test_v14_4_an_uploaded_file_is_a_sandboxed_attachment(app, client, db, login, tmp_path,
                                                         monkeypatch):
    """V12.5.2 / V14.4.2: an uploaded document is served as an attachment, nosniff, with a CSP
    that sandboxes it and lets nothing load."""
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path))
    with app.test_request_context():
        world = build_world(db)
    login(world["users"]["holder_a"])
    ids = world["ids"]
    response = client.get(f"/overeenkomsten/{ids['agreement']}/documenten/{ids['document']}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert csp_of(response) == {"default-src": "'none'", "sandbox": ""}


def test_v14_4_our_own_pdf_is_not_framed_but_chrome_may_show_it(app, client, db, login,
                                                                tmp_path, monkeypatch):
    """V14.4.3 / V14.4.7: a PDF the portal made (shown inline) may not be framed; its policy
    leaves out object-src and default-src, which would block Chrome's PDF viewer."""
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path))
    with app.test_request_context():
        world = build_world(db)
    login(world["users"]["holder_a"])
    response = client.get(f"/papier/overeenkomsten/{world['ids']['agreement']}.pdf")
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert csp_of(response) == {"frame-ancestors": "'none'", "base-uri": "'none'",
                                "form-action": "'none'"}
    assert header_problems(response, csp_of(response)) == []


def production_app(tmp_path):
    return create_app(config={"TESTING": True}, environ={
        "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 40,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path)})


def test_v14_4_5_hsts_in_production_only_and_only_over_https(tmp_path, app):
    """V14.4.5: Strict-Transport-Security in production (over HTTPS, or behind the proxy that
    says so); never in development, where the portal runs on plain http://localhost."""
    prod = production_app(tmp_path).test_client()

    def headers(test_client, **kw):
        with test_client.get("/static/css/portal.css", **kw) as response:
            return response

    secure = headers(prod, base_url="https://pgb.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    proxied = headers(prod, headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers
    assert "Strict-Transport-Security" not in headers(prod).headers
    assert header_problems(headers(prod)) == []
    development = headers(app.test_client(), base_url="https://portal.test")
    assert "Strict-Transport-Security" not in development.headers


def test_v14_4_3_no_inline_script_or_style_in_the_templates():
    """V14.4.3 / V5.3.3: the CSP has no 'unsafe-inline', so no template may hold an inline
    script, a <style> block, a style attribute or an on...= handler (they would be blocked;
    the e2e fixture also fails a journey on any CSP violation Chromium reports)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|"
                        r"javascript:", re.IGNORECASE)
    found = [f"{path.relative_to(root)}: {match.group(0)}"
             for path in sorted(root.rglob("*.html"))
             for match in inline.finditer(path.read_text())]
    assert found == []


def test_v14_4_3_forms_may_end_at_the_configured_identity_provider_only(app, client, db,
                                                                        monkeypatch):
    """Logging out is a form POST whose redirect ends at the DigiD/eHerkenning provider's
    end-session address: form-action names that provider's origin, and no other."""
    assert csp_of(client.get("/bestaat-niet"))["form-action"] == "'self'"
    schemes = {"digid": {"metadata_url": "https://broker.example.nl/oidc/.well-known/x"},
               "eherkenning": {"metadata_url": "https://broker.example.nl:8443/eh"}}
    monkeypatch.setitem(app.config, "PORTAL_OIDC_SCHEMES", schemes)
    assert csp_of(client.get("/bestaat-niet"))["form-action"] == \
        "'self' https://broker.example.nl https://broker.example.nl:8443"
