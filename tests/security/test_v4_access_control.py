"""ASVS V4 (access control). The whole route x role table is tests/test_permission_matrix.py:
V4.1.1 / V4.1.3 (every route decided, least privilege), V4.2.1 (another household's object is a
404), V4.2.2 (every POST needs its CSRF token). Here: the uploaded files, which the matrix
reaches with one document only."""

from __future__ import annotations

import pytest

from tests.test_permission_matrix import build_world


@pytest.mark.parametrize(("role", "status"), [
    ("anon", 302), ("holder_b", 404), ("rep_expired", 404), ("rep_revoked", 404),
    ("consulent_other", 404), ("holder_a", 200), ("consulent_a", 200), ("office", 200),
])
def test_v4_2_1_an_uploaded_document_only_for_who_may_see_its_agreement(role, status, app,
                                                                       client, db, login,
                                                                       tmp_path, monkeypatch):
    """V4.2.1 / V12.4.2: the signed scan is served only through the permission-checked view; a
    document id of an agreement that is not theirs says nothing (404), anonymous goes to login."""
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path))
    with app.test_request_context():
        world = build_world(db)
    if role != "anon":
        login(world["users"][role])
    ids = world["ids"]
    response = client.get(f"/overeenkomsten/{ids['agreement']}/documenten/{ids['document']}")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].split("?")[0].endswith("/inloggen")
    # The same document through another agreement's address is never served.
    other = client.get(f"/overeenkomsten/{ids['draft']}/documenten/{ids['document']}")
    assert other.status_code in (302, 404)
