"""The OpenID Connect client (Authlib's Flask integration) for DigiD and eHerkenning.

Authorization code flow with PKCE (S256); Authlib keeps state, nonce and the code verifier in
the session, checks the state on return, exchanges the code, and verifies the ID token: its
signature against the provider's published keys (jwks_uri), the issuer from the provider's
metadata, the audience (our client id), the expiry and the nonce. Every failure becomes one
refusal code (rules.REASONS) for the page and the audit line.
"""

from __future__ import annotations

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
)

TIMEOUT_SECONDS = 10
# How far the clocks of the portal and the identity provider may differ (seconds).
LEEWAY_SECONDS = 60


class LoginFailed(Exception):
    """The identity provider's answer could not be trusted; `code` says why (rules.REASONS)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def schemes() -> dict[str, dict]:
    """The configured identity schemes (portal.config: PORTAL_OIDC_*), by name."""
    return current_app.config.get("PORTAL_OIDC_SCHEMES") or {}


def _registry() -> OAuth:
    """One Authlib registry per app and scheme configuration (made at first use)."""
    configured = schemes()
    cached = current_app.extensions.get("portal.identity")
    if cached is not None and cached[0] is configured:
        return cached[1]
    oauth = OAuth(current_app)
    for name, scheme in configured.items():
        oauth.register(name, client_id=scheme["client_id"],
                       client_secret=scheme["client_secret"],
                       server_metadata_url=scheme["metadata_url"],
                       client_kwargs={"scope": scheme["scope"], "code_challenge_method": "S256",
                                      "default_timeout": TIMEOUT_SECONDS})
    current_app.extensions["portal.identity"] = (configured, oauth)
    return oauth


def _client(name: str):
    return _registry().create_client(name)


def authorize_redirect(name: str, redirect_uri: str):
    """The redirect to the identity provider's login page (state, nonce, PKCE in the session)."""
    try:
        return _client(name).authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError) as error:
        raise LoginFailed("provider_unreachable") from error


_CLAIM_REASONS = {"iss": "wrong_issuer", "aud": "wrong_audience", "azp": "wrong_audience",
                  "nonce": "wrong_nonce", "exp": "expired"}


def verified_claims(name: str) -> dict:
    """Back from the identity provider (the current request): the verified ID token's claims,
    or LoginFailed with the reason."""
    client = _client(name)
    try:
        # Authlib checks the issuer but, by itself, not that we are the audience (only that
        # an 'azp' is there when we are not): both are essential here.
        issuer = client.load_server_metadata()["issuer"]
        token = client.authorize_access_token(
            leeway=LEEWAY_SECONDS,
            claims_options={"iss": {"essential": True, "value": issuer},
                            "aud": {"essential": True, "value": client.client_id}})
    except MismatchingStateError as error:
        raise LoginFailed("state_mismatch") from error
    except OAuthError as error:
        # From the provider's redirect (access_denied: the person cancelled) or its token
        # endpoint (invalid_grant: a code used twice, expired or not ours).
        code = "code_refused" if error.error == "invalid_grant" else "cancelled"
        raise LoginFailed(code) from error
    except BadSignatureError as error:
        raise LoginFailed("bad_signature") from error
    except ExpiredTokenError as error:
        raise LoginFailed("expired") from error
    except InvalidClaimError as error:
        raise LoginFailed(_CLAIM_REASONS.get(error.claim, "bad_token")) from error
    except (ClaimError, JoseError, ValueError, KeyError) as error:
        raise LoginFailed("bad_token") from error
    except requests.RequestException as error:
        raise LoginFailed("provider_unreachable") from error
    claims = token.get("userinfo")
    if not claims:
        raise LoginFailed("no_id_token")
    return dict(claims)


def end_session_url(name: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to end the session at the identity provider too, when its
    metadata has an end_session_endpoint (None otherwise, or when it cannot be read)."""
    if name not in schemes():
        return None
    client = _client(name)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                        client_id=client.client_id)["url"]
    except (requests.RequestException, ValueError, RuntimeError):
        return None
