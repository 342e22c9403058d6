"""The OpenAPI schema validates, names its enums, and its docs are served from our files."""

import io

import yaml
from django.core.management import call_command


def test_the_schema_validates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    enums = schema["components"]["schemas"]
    for name in ("TicketStatusEnum", "PriorityEnum", "ContractTypeEnum", "DeviceKindEnum"):
        assert name in enums
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    paths = schema["paths"]
    for path in (
        "/api/v1/customers/",
        "/api/v1/contacts/{id}/",
        "/api/v1/tickets/{id}/reply/",
        "/api/v1/alerts/{id}/acknowledge/",
        "/api/v1/imports/",
        "/api/v1/sla-policies/{id}/preview/",
    ):
        assert path in paths
    name = schema["components"]["schemas"]["Customer"]["properties"]["name"]
    assert name["description"]


def test_the_schema_is_served_to_signed_in_users(admin_client):
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_docs_load_swagger_ui_from_our_static_files(admin_client):
    response = admin_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()
