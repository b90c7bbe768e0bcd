from tests.api.conftest import bearer, sheet


def test_prepare_and_read(client, world):
    token = world.key()
    r = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                    headers=bearer(token))
    print(r.get_json())
    assert r.status_code == 200
