"""The action body in /openapi.json: a union discriminated by ``action``, one documented shape per action."""

from __future__ import annotations

from service.requests.action_schemas import ACTION_MODELS, PARAMETERS
from workflow.machine import ACTIONS


def test_every_action_has_a_documented_shape() -> None:
    assert set(PARAMETERS) == set(ACTIONS) == set(ACTION_MODELS)


def test_openapi_body_is_a_discriminated_union(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/v1/requests/{request_id}/actions"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "action"
    assert set(schema["discriminator"]["mapping"]) == set(ACTIONS)
    extend = spec["components"]["schemas"]["ExtendAction"]
    assert extend["properties"]["notified_on"]["format"] == "date"
    assert "on or before the due date" in extend["properties"]["notified_on"]["description"]
    reply = spec["components"]["schemas"]["ReplyAction"]
    assert "withhold" in reply["properties"]["decision"]["enum"]
