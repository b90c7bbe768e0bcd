"""'Test-DigiD - geen echte inlog': a small OpenID Connect provider for development and tests.

Built on Authlib's server side (authorization code flow with PKCE and nonce, RS256-signed ID
tokens, discovery metadata, a JWKS, end-session). One server holds two issuers, `/digid` and
`/eherkenning`; its page asks for a BSN, or a KvK number and establishment number, so the
portal's code path is the production one: real discovery, real signed tokens.

Development and tests only: it listens on 127.0.0.1, and the portal refuses to start in
production with PORTAL_OIDC_TEST_PROVIDER set. Start it with
`python -m portal.identity.testprovider --port 5010` (`make run` does).

Tests can make it misbehave (`provider.mischief = "audience"`, see MISCHIEF) to check that the
portal refuses what a broken or hostile provider could send.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from flask import Flask, abort, g, jsonify, redirect, render_template, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

from portal.config import OIDC_SCHEMES, PROJECT_ROOT, TEST_PROVIDER_CLIENT

# What a test can make the provider do wrong, and the claims it then puts in the ID token.
MISCHIEF = ("signature", "issuer", "audience", "nonce", "expired", "no_number")
CODE_LIFETIME = 300  # seconds
# The levels of assurance by their everyday names, for the page's choice.
LEVEL_NAMES = dict(zip(OIDC_SCHEMES["digid"]["loa_levels"],
                       ("Basis", "Midden", "Substantieel", "Hoog"), strict=True)) | dict(
    zip(OIDC_SCHEMES["eherkenning"]["loa_levels"], ("EH1", "EH2", "EH2+", "EH3", "EH4"),
        strict=True))


@dataclass
class Person:
    scheme: str
    number: str  # BSN or KvK number
    establishment: str | None
    name: str | None
    loa: str
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: Person
    issued: float

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return int(self.issued)

    def get_acr(self):
        return None  # the level of assurance is in the user info (the person's choice)

    def get_amr(self):
        return None


class Client(ClientMixin):
    def __init__(self, client_id: str, secret: str):
        self.client_id, self.secret = client_id, secret

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return urlsplit(redirect_uri).scheme in ("http", "https")

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class TestProvider:
    """The provider: its keys, clients, codes and people, and the Flask app serving them."""

    __test__ = False  # not a pytest test class

    def __init__(self, client_id: str = TEST_PROVIDER_CLIENT["client_id"],
                 client_secret: str = TEST_PROVIDER_CLIENT["client_secret"]):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
        self.client = Client(client_id, client_secret)
        self.codes: dict[str, Code] = {}
        self.mischief: str | None = None
        self.lock = threading.Lock()
        self.app = self._make_app()

    # --- the ID token's contents ---------------------------------------------------------

    def claims_for(self, person: Person, issuer: str, client_id: str) -> dict:
        scheme = OIDC_SCHEMES[person.scheme]
        claims: dict = {"sub": person.sub, "acr": person.loa, "iss": issuer}
        if self.mischief != "no_number":
            if person.scheme == "digid":
                claims[scheme["id_claims"]["bsn"]] = person.number
            else:
                claims[scheme["id_claims"]["kvk"]] = person.number
                if person.establishment:
                    claims[scheme["id_claims"]["establishment"]] = person.establishment
        if person.name:
            claims["name"] = person.name
        if self.mischief == "issuer":
            claims["iss"] = "http://elders.invalid/" + person.scheme
        elif self.mischief == "audience":
            # Meant for another client; 'azp' names ours, which Authlib alone would accept.
            claims["aud"] = ["iemand-anders"]
            claims["azp"] = client_id
        elif self.mischief == "nonce":
            claims["nonce"] = "niet-de-nonce-van-deze-inlog"
        elif self.mischief == "expired":
            claims["iat"] = int(time.time()) - 7200
            claims["exp"] = int(time.time()) - 3600
        return claims

    def signing_key(self) -> RSAKey:
        if self.mischief == "signature":  # the same key id, another key
            return RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
        return self.key

    # --- the Flask app -----------------------------------------------------------------------

    def _make_app(self) -> Flask:
        provider = self
        app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                    static_folder=str(PROJECT_ROOT / "static"))
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 600}

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                data = req.payload.data
                with provider.lock:
                    provider.codes[code] = Code(
                        code=code, client_id=req.client.get_client_id(),
                        redirect_uri=req.payload.redirect_uri, scope=req.payload.scope,
                        nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
                        code_challenge_method=data.get("code_challenge_method"),
                        person=req.user, issued=time.time())

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id() \
                        and time.time() - found.issued < CODE_LIFETIME:
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                with provider.lock:
                    provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IDToken(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.signing_key().as_dict(private=True)

            def get_client_algorithm(self, client):
                return "RS256"

            def get_client_claims(self, client):
                now = int(time.time())
                return {"iss": g.issuer, "aud": [client.get_client_id()], "iat": now,
                        "exp": now + 600}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-1"}

            def generate_user_info(self, user, scope):
                return UserInfo(provider.claims_for(user, g.issuer, provider.client.client_id))

        server = AuthorizationServer(app, query_client=lambda cid: (
            provider.client if cid == provider.client.client_id else None),
            save_token=lambda token, req: None)
        server.register_grant(CodeGrant, [IDToken(require_nonce=True),
                                          CodeChallenge(required=True)])

        def issuer(scheme: str) -> str:
            if scheme not in OIDC_SCHEMES:
                abort(404)
            g.issuer = request.host_url.rstrip("/") + "/" + scheme
            return g.issuer

        @app.get("/<scheme>/.well-known/openid-configuration")
        def metadata(scheme):
            base = issuer(scheme)
            return jsonify({
                "issuer": base, "authorization_endpoint": base + "/authorize",
                "token_endpoint": base + "/token", "jwks_uri": base + "/jwks",
                "end_session_endpoint": base + "/end-session",
                "response_types_supported": ["code"], "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"],
                "scopes_supported": ["openid"],
            })

        @app.get("/<scheme>/jwks")
        def jwks(scheme):
            issuer(scheme)
            return jsonify(KeySet([provider.key]).as_dict(private=False))

        @app.route("/<scheme>/authorize", methods=["GET", "POST"])
        def authorize(scheme):
            issuer(scheme)
            try:
                grant = server.get_consent_grant(end_user=None)
            except OAuth2Error as error:
                return render_template("identity/test_provider.html", scheme=scheme,
                                       error=error.description or error.error), 400
            levels = OIDC_SCHEMES[scheme]["loa_levels"]
            form = {"number": "", "establishment": "", "name": "",
                    "loa": OIDC_SCHEMES[scheme]["loa_min"]}
            problem = None
            if request.method == "POST":
                if request.form.get("action") == "cancel":
                    return server.create_authorization_response(grant=grant, grant_user=None)
                form = {key: (request.form.get(key) or "").strip() for key in form}
                if not form["number"]:
                    problem = ("Vul een burgerservicenummer in." if scheme == "digid"
                               else "Vul een KvK-nummer in.")
                elif form["loa"] not in levels:
                    problem = "Kies een betrouwbaarheidsniveau."
                else:
                    person = Person(scheme, form["number"], form["establishment"] or None,
                                    form["name"] or None, form["loa"],
                                    sub=_pseudonym(scheme, form["number"], form["name"]))
                    return server.create_authorization_response(grant=grant,
                                                                grant_user=person)
            return render_template("identity/test_provider.html", scheme=scheme, form=form,
                                   levels=levels, level_names=LEVEL_NAMES, problem=problem,
                                   client_id=grant.client.get_client_id()), \
                (422 if problem else 200)

        @app.post("/<scheme>/token")
        def token(scheme):
            issuer(scheme)
            return server.create_token_response()

        @app.get("/<scheme>/end-session")
        def end_session(scheme):
            issuer(scheme)
            target = request.args.get("post_logout_redirect_uri") or ""
            if urlsplit(target).scheme not in ("http", "https"):
                return render_template("identity/test_provider.html", scheme=scheme,
                                       ended=True)
            state = request.args.get("state")
            sep = "&" if "?" in target else "?"
            return redirect(target + (sep + urlencode({"state": state}) if state else ""))

        return app


def _pseudonym(scheme: str, number: str, name: str) -> str:
    """The same person gets the same `sub` every time, as at a real broker."""
    import hashlib

    return hashlib.sha256(f"{scheme}|{number}|{name}".encode()).hexdigest()[:24]


@contextlib.contextmanager
def running(port: int = 0, provider: TestProvider | None = None) -> Iterator[tuple[TestProvider, str]]:
    """The provider served from a thread on 127.0.0.1 (tests, e2e): (provider, base URL)."""
    provider = provider or TestProvider()
    server = make_server("127.0.0.1", port, provider.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Test-DigiD en test-eHerkenning: geen echte "
                                     "inlog (alleen voor ontwikkelen en testen).")
    parser.add_argument("--port", type=int, default=5010)
    args = parser.parse_args(argv)
    server = make_server("127.0.0.1", args.port, TestProvider().app, threaded=True)
    print(f"Test-DigiD en test-eHerkenning (geen echte inlog) op http://127.0.0.1:{args.port}",
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
