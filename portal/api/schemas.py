"""The JSON shapes of the API (marshmallow), from which the OpenAPI document is generated."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.api.constants import ApiScope

MAX_PAGE = 200
MAX_BULK = 1000


class ListQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE),
                           metadata={"description": f"Items per page, at most {MAX_PAGE}."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "The `next_cursor` of the previous page."})


class ProblemError(Schema):
    code = fields.String(required=True)
    detail = fields.String(required=True)
    pointer = fields.String(required=True, metadata={"description": "JSON pointer to the field"})


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(ProblemError))


class CareLine(Schema):
    care_kind = fields.String(required=True)
    care_label = fields.String(required=True)
    unit = fields.String(required=True)
    tariff_cents = fields.Integer(required=True)
    grant_id = fields.Integer(required=True, metadata={
        "description": "Name it on a sheet line only when a kind of care is on several grants."})
    period_start = fields.Date(required=True, metadata={
        "description": "The first day this line's grant pays for (no amounts are shown)."})
    period_end = fields.Date(required=True, metadata={
        "description": "The last day this line's grant pays for."})


class Agreement(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    holder_name = fields.String(required=True, metadata={"description": "The budget holder"})
    model = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    care = fields.List(fields.Nested(CareLine), required=True)


class AgreementPage(Schema):
    items = fields.List(fields.Nested(Agreement), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class LineIn(Schema):
    day = fields.Date(required=True)
    care_kind = fields.String(required=True, validate=validate.Length(1, 40))
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(-(2**31), 2**31 - 1), metadata={
        "description": "Minutes for care paid by the hour (quarters of an hour); a count of "
                       "day parts or days otherwise."})
    grant_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(1, 2**31 - 1))


class SheetIn(Schema):
    agreement_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    month = fields.String(required=True, validate=validate.Length(1, 7),
                          metadata={"description": "JJJJ-MM", "example": "2026-10"})
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(max=31 * 8))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SheetsIn(Schema):
    sheets = fields.List(fields.Nested(SheetIn), required=True,
                         validate=validate.Length(1, MAX_BULK))


class SheetLine(Schema):
    day = fields.Date(required=True)
    care_kind = fields.String(required=True)
    quantity = fields.Integer(required=True)
    tariff_cents = fields.Integer(required=True)
    amount_cents = fields.Integer(required=True)
    grant_id = fields.Integer(required=True)


class Sheet(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    agreement_id = fields.Integer(required=True)
    month = fields.String(required=True)
    status = fields.String(required=True)
    status_text = fields.String(required=True, metadata={"description": "As the provider's page"})
    total_cents = fields.Integer(required=True)
    refusal_codes = fields.List(fields.String(), required=True)
    refusal_reason = fields.String(allow_none=True, required=True)
    paid_on = fields.Date(allow_none=True, required=True)
    payment_reference = fields.String(allow_none=True, required=True)
    lines = fields.List(fields.Nested(SheetLine), required=True)


class SheetPage(Schema):
    items = fields.List(fields.Nested(Sheet), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class SheetResult(Schema):
    index = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["created", "refused"]))
    sheet = fields.Nested(Sheet)
    problem = fields.Nested(Problem)


class SheetsOut(Schema):
    created = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    results = fields.List(fields.Nested(SheetResult), required=True)


class SpecificationLine(Schema):
    claim_reference = fields.String(required=True)
    holder_name = fields.String(required=True)
    month = fields.String(required=True)
    amount_cents = fields.Integer(required=True)


class Payment(Schema):
    id = fields.Integer(required=True)
    run_reference = fields.String(required=True)
    run_on = fields.Date(required=True)
    payment_reference = fields.String(required=True)
    iban_masked = fields.String(required=True)
    total_cents = fields.Integer(required=True)
    lines = fields.List(fields.Nested(SpecificationLine), required=True)


class PaymentPage(Schema):
    items = fields.List(fields.Nested(Payment), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class GrantIn(Schema):
    bsn = fields.String(required=True, validate=validate.Length(1, 20))
    law = fields.String(required=True, validate=validate.Length(1, 20))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(-(2**62), 2**62))
    care_kinds = fields.List(fields.String(validate=validate.Length(1, 40)), required=True,
                             validate=validate.Length(max=20))
    decision_reference = fields.String(load_default="", validate=validate.Length(max=60))


class GrantsIn(Schema):
    grants = fields.List(fields.Nested(GrantIn), required=True,
                         validate=validate.Length(1, MAX_BULK))


class GrantsOut(Schema):
    grant_ids = fields.List(fields.Integer(), required=True)


class Review(Schema):
    version_id = fields.Integer(required=True)
    agreement_reference = fields.String(required=True)
    version_number = fields.Integer(required=True)
    household_name = fields.String(required=True)
    provider_name = fields.String(required=True)
    model = fields.String(required=True)
    starts_on = fields.Date(required=True)
    signed_on = fields.Date(allow_none=True, required=True)


class ReviewPage(Schema):
    items = fields.List(fields.Nested(Review), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DecisionOut(Schema):
    version_id = fields.Integer(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)


class Run(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    run_on = fields.Date(required=True)
    payment_count = fields.Integer(required=True)
    total_cents = fields.Integer(required=True)


class RunPage(Schema):
    items = fields.List(fields.Nested(Run), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


SCOPE_NAMES = [s.value for s in ApiScope]
