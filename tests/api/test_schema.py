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


def test_every_operation_documents_the_standard_errors(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert "ValidationError" in schema["components"]["schemas"]
    create = schema["paths"]["/api/v1/customers/"]["post"]["responses"]
    for code in ("201", "400", "401", "403", "404", "405", "409", "415", "429"):
        assert code in create
    assert "Retry-After" in create["429"]["headers"]
    listing = schema["paths"]["/api/v1/customers/"]["get"]["responses"]
    assert "415" not in listing and "429" in listing
    # A code the view documents itself keeps its own description.
    acknowledge = schema["paths"]["/api/v1/alerts/{id}/acknowledge/"]["post"]["responses"]
    assert "not open" in acknowledge["409"]["description"]


def test_unmatched_api_urls_answer_json_404s(admin_client):
    response = admin_client.get("/api/v1/customers/0.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert "text/html" in admin_client.get("/no-such-page/")["Content-Type"]
