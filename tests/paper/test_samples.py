"""portal.paper.samples: one of each document from whatever the database holds (the demo is
only where `make pdf-samples` gets its data from)."""

from __future__ import annotations

from tests.paper.conftest import TODAY


def test_an_empty_database_gives_no_samples(db):
    from portal.paper.samples import sample_documents

    assert sample_documents(TODAY) == {}


def test_the_demo_gives_one_of_each_document(demo_db, today_is):
    from portal.paper import documents
    from portal.paper.samples import sample_documents

    today_is(TODAY)
    docs = sample_documents(TODAY)
    assert list(docs)[:6] == ["1-zorgovereenkomst", "2-urenbriefje", "3-budgetoverzicht-jaar",
                              "3-budgetoverzicht-maand", "4-betaalspecificatie",
                              "5-afwijzingsbrief"]
    assert isinstance(docs["2-urenbriefje"], documents.HourSheetDocument)
    assert len(docs["2-urenbriefje"].kinds) >= 2  # an agreement with several lines
    assert isinstance(docs["5-afwijzingsbrief"], documents.RefusalLetterDocument)
    models = {name.removeprefix("1-zorgovereenkomst-") for name in docs
              if name.startswith("1-zorgovereenkomst-")}
    assert models  # the other model kinds of the demo, one each
