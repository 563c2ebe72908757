"""Schemathesis against /api/v1/openapi.json of a live waitress server (real HTTP, bearer token):
every documented operation, a bounded number of generated requests each; no 5xx, and every
response conforms to the document (status code, content type, body schema)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


from riskradar.web.openapi import build_openapi

# The document is static (built without an app); the first test checks the server serves it.
schema = schemathesis.openapi.from_dict(build_openapi(""))


def test_the_server_serves_this_document(live_server: str) -> None:
    import requests

    served = requests.get(f"{live_server}/api/v1/openapi.json", timeout=10).json()
    expected = build_openapi("http://127.0.0.1:8080")
    assert served["paths"] == expected["paths"] and served["components"] == expected["components"]


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_openapi_document(case: Any, live_server: str, seeded: dict[str, Any]) -> None:
    case.call_and_validate(base_url=f"{live_server}/api/v1",
                           headers={"Authorization": f"Bearer {seeded['tokens']['admin']}"}, checks=CHECKS)
