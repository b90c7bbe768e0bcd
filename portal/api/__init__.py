"""The JSON API /api/v1/ for the software of care organisations, funders and the payment office.

It calls the same use cases, permission functions and rules as the pages (claims.service,
budgets.service, agreements.service, payments.service); it only parses JSON, checks the API key
and its scopes, and maps refusals onto RFC 9457 problem details (portal/api/problems.py).
"""
