"""Households, members, funders, budget grants (toekenningen), usage and prognosis."""
