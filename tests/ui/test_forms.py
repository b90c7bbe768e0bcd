"""The one refusal path (issue 10, finding 2): portal.forms holds the base form, its fields and
the helper that maps a use case's refusals onto a form; no view writes its own copy."""

import pathlib
import re

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from wtforms import StringField

from portal.forms import BaseForm, apply_refusals, form_status, place_refusals
from portal.refusals import Refusal, Refused

PORTAL = pathlib.Path(__file__).resolve().parents[2] / "portal"


class PersonForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Naam")
    bsn = StringField("BSN")


def test_a_refusal_naming_a_field_of_the_form_becomes_that_fields_error(app):
    with app.test_request_context(method="POST"):
        form = PersonForm(formdata=MultiDict({"name": "Jan"}))
        general = apply_refusals(form, Refused([
            Refusal("name_short", "Vul uw hele naam in.", "name"),
            Refusal("budget_insufficient", "Het budget is op."),
            Refusal("unknown_field", "Dit veld staat niet op het formulier.", "elders"),
            Refusal("member_unknown", "Dit BSN kennen we niet.", "member"),
        ]), {"member": "bsn"})
        assert form.name.errors == ["Vul uw hele naam in."]
        assert form.bsn.errors == ["Dit BSN kennen we niet."]  # the rule's name, aliased
        assert general == ["Het budget is op.", "Dit veld staat niet op het formulier."]


def test_the_same_refusal_twice_is_said_once_and_an_alias_to_nothing_goes_to_the_summary(app):
    with app.test_request_context():
        form = PersonForm(formdata=None)
        twice = [Refusal("x", "Eén keer.", "name")] * 2
        assert place_refusals(form, twice) == []
        assert form.name.errors == ["Eén keer."]
        rest = place_refusals(form, [Refusal("y", "Kies een zorgverlener.", "name")],
                              {"name": ""})
        assert [r.code for r in rest] == ["y"]


def test_a_denied_object_answers_404_and_nothing_is_put_on_the_form(app):
    with app.test_request_context(method="POST"):
        form = PersonForm(formdata=None)
        with pytest.raises(NotFound):
            apply_refusals(form, Refused([Refusal("name_short", "Kort.", "name"),
                                          Refusal("not_allowed", "Dit mag u niet.")]))
        assert not form.name.errors


def test_a_form_shown_again_after_a_post_answers_422(app):
    with app.test_request_context(method="POST"):
        assert form_status() == 422
    with app.test_request_context(method="GET"):
        assert form_status() == 200


@pytest.mark.parametrize("copy", [
    r'"not_allowed" in refused\.codes',
    r'r\.code == "not_allowed"',
    r'422 if request\.method == "POST" else 200',
    r'422 if form\.is_submitted\(\) else 200',
    r'def (add_refusals|apply_refusals|_apply_refusals|_apply)\(',
    r'from portal\.access\.forms import .*\b(BaseForm|DutchDateField)\b',
    # a refusal's message put on a field by hand, and the euros of a form field parsed by hand
    r'\.errors = \[r\.message for r in refused',
    r'if refusal\.field == "',
    r'parse_euros\(form',
    r'parse_euros\(\w+_field\.data',
])
def test_no_view_keeps_its_own_copy_of_the_refusal_path(copy):
    found = [f"{path.relative_to(PORTAL)}:{n}"
             for path in PORTAL.rglob("*.py") if path.name != "forms.py" or path.parent != PORTAL
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(copy, line)]
    assert found == []


def test_one_error_summary_holds_the_forms_own_errors_and_links_the_fields(app):
    """The error-summary macro says what belongs to no field too (the pages no longer add a
    second hand-written summary block for form.form_errors)."""
    from flask import render_template_string

    with app.test_request_context(method="POST"):
        form = PersonForm(formdata=MultiDict({}))
        form.form_errors.extend(apply_refusals(form, [Refusal("x", "Het budget is op."),
                                                      Refusal("y", "Vul uw naam in.", "name")]))
        html = render_template_string(
            '{% from "macros/forms.html" import error_summary %}{{ error_summary(form) }}',
            form=form)
    assert html.count('class="error-summary"') == 1 and 'role="alert"' in html
    assert "<li>Het budget is op.</li>" in html
    assert '<a href="#name">Vul uw naam in.</a>' in html


def test_only_the_macro_writes_an_error_summary():
    """Issue 10: one error-summary macro; a page that writes its own box is a copy."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    own = sorted(str(p.relative_to(templates)) for p in templates.rglob("*.html")
                 if 'class="error-summary"' in p.read_text(encoding="utf-8"))
    assert own == ["macros/forms.html"]
