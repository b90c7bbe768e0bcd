"""The consulent's queue shows a page at a time, with the count of all."""

import re

from portal.access.constants import Role
from portal.agreements.constants import VersionStatus
from portal.budgets.constants import FunderKind
from portal.funders.service import QUEUE_PAGE_SIZE
from tests import factories as f


def test_the_queue_is_paged(client, login, db):
    funder = f.make_funder(FunderKind.GEMEENTE, "Gemeente Veel")
    grant = f.make_grant(f.make_member(), funder, amount_cents=10_000_000)
    for _ in range(QUEUE_PAGE_SIZE + 2):
        f.make_agreement(grant, status=VersionStatus.TER_BEOORDELING)
    login(f.make_user(Role.CONSULENT, funder_id=funder.id))

    html = client.get("/verstrekker").get_data(as_text=True)
    # "Wat moet u doen?" links the oldest; the table a page of them.
    tasks, table = html.split('id="wachtrij"', 1)
    assert len(re.findall(r"/verstrekker/beoordelen/\d+", tasks)) == 1
    assert len(re.findall(r"/verstrekker/beoordelen/\d+", table)) == QUEUE_PAGE_SIZE
    assert f"{QUEUE_PAGE_SIZE + 2} overeenkomst(en) wachten op beoordeling, pagina 1 van 2" in html
    html = client.get("/verstrekker?pagina=2").get_data(as_text=True)
    table = html.split('id="wachtrij"', 1)[1]
    assert len(re.findall(r"/verstrekker/beoordelen/\d+", table)) == 2
    assert 'rel="prev"' in html
