"""The one table macro (templates/macros/ui.html data_table), and that every page uses it."""

from __future__ import annotations

from pathlib import Path

from tests.ui.pagetree import by_id, parse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

SOURCE = """{% from "macros/ui.html" import data_table %}
{% call data_table("betalingen", "Betaald aan Marieke", ["Maand", ("Bedrag", "num"), ("Actie", "hidden")],
                   class="payments-table") %}
  <tbody><tr><th scope="row">maart 2026</th><td class="num">10</td><td></td></tr></tbody>
{% endcall %}
{% call data_table("stil", "Alleen voor schermlezers", caption_hidden=true) %}
  <thead><tr><th scope="col">Zelf</th></tr></thead>
{% endcall %}"""


def render(app, source: str) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(source).render()


def test_the_scroll_box_is_a_focusable_region_named_by_the_caption(app):
    page = parse(render(app, SOURCE))
    table = by_id(page, "betalingen")
    box = next(d for d in page.all("div") if table in d.all("table"))
    assert box.attrs == {"class": "utrecht-table-container table-scroll table-cards",
                         "role": "region",
                         "aria-labelledby": "betalingen-titel", "tabindex": "0"}
    caption = by_id(page, "betalingen-titel")
    assert caption.tag == "caption" and caption.full_text() == "Betaald aan Marieke"
    assert "visually-hidden" not in caption.attrs["class"]  # shown
    assert table.attrs["class"] == "utrecht-table utrecht-table--html-table payments-table"


def test_column_headers_have_scope_a_number_class_or_a_hidden_label(app):
    table = by_id(parse(render(app, SOURCE)), "betalingen")
    heads = table.all("thead")[0].all("th")
    assert [(h.attrs, h.full_text()) for h in heads] == [
        ({"scope": "col"}, "Maand"), ({"scope": "col", "class": "num"}, "Bedrag"),
        ({"scope": "col"}, "Actie")]
    assert heads[2].all("span")[0].attrs == {"class": "visually-hidden"}
    assert table.all("tbody")[0].all("th")[0].attrs == {"scope": "row"}


def test_without_columns_the_body_brings_its_own_head_and_the_caption_can_be_hidden(app):
    page = parse(render(app, SOURCE))
    table = by_id(page, "stil")
    assert len(table.all("thead")) == 1
    assert "visually-hidden" in by_id(page, "stil-titel").attrs["class"].split()


def test_every_table_in_the_templates_goes_through_the_macro():
    """A table written by hand would miss the scroll region, and widen a 320 px page."""
    by_hand = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
               if "<table" in path.read_text() and path.name != "ui.html"]
    assert by_hand == []


def test_on_a_phone_each_cell_carries_its_column_header_and_key_columns_come_first():
    """portal/table_cards.py: data-label from the table's own head; status and amounts marked
    (cell--key) so the cards show them first; a header only for screen readers labels nothing."""
    from portal.table_cards import label_cells

    html = str(label_cells(
        '<thead><tr><th scope="col">Maand</th><th scope="col">Status</th>'
        '<th scope="col" class="num">Bedrag</th>'
        '<th scope="col"><span class="visually-hidden">Actie</span></th></tr></thead>'
        '<tbody><tr><th scope="row">maart</th><td>Betaald</td><td class="num">€ 1,00</td>'
        '<td><a href="/x">Bekijk</a></td></tr></tbody>'))
    assert '<th scope="row">maart</th>' in html  # the card's title: no label
    assert '<td class="cell--key" data-label="Status">Betaald</td>' in html
    assert '<td class="num cell--key" data-label="Bedrag">€ 1,00</td>' in html
    assert '<td data-label=""><a href="/x">Bekijk</a></td>' in html
