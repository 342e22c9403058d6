"""API tokens: hashed storage, authentication, revocation, the console page, the command,
and rate limiting per token."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import issue_token, revoke_token

CUSTOMERS = "/api/v1/customers/"


def test_a_token_is_stored_only_as_its_sha256(admin_user):
    token, key = issue_token(admin_user, "backup script")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.hint, token.name}
    assert len(key) >= 40


def test_a_token_authenticates_and_records_its_last_use(admin_user):
    token, key = issue_token(admin_user, "script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(CUSTOMERS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Token nope", "Token ", "Token a b", "Bearer abc"],
)
def test_bad_credentials_get_401_with_a_reason(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(CUSTOMERS)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_no_longer_works(admin_user):
    token, key = issue_token(admin_user, "old")
    revoke_token(token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(CUSTOMERS).status_code == 401


def test_a_deactivated_users_token_no_longer_works(technician):
    _token, key = issue_token(technician, "t")
    technician.is_active = False
    technician.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(CUSTOMERS).status_code == 401


def test_the_tokens_page_shows_a_new_key_once_and_revokes(admin_client, admin_user):
    response = admin_client.post("/accounts/tokens/", {"name": "PowerShell"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=admin_user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in admin_client.get("/accounts/tokens/").content.decode()

    response = admin_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_tokens_page_needs_a_name(admin_client):
    response = admin_client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(technician_client, admin_user):
    token, _key = issue_token(admin_user, "admin's")
    assert technician_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_working_key_once(admin_user, capsys):
    call_command("api_token", "ADMIN@msp.example", "--name", "cron")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert token.name == "cron"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nobody@msp.example")


def test_requests_beyond_the_rate_get_429_with_retry_after(admin_user, settings, monkeypatch):
    from accounts.authentication import ApiTokenRateThrottle

    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute"})
    cache.clear()
    _token, key = issue_token(admin_user, "busy")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(3):
        assert client.get(CUSTOMERS).status_code == 200
    response = client.get(CUSTOMERS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()

    # Another token of the same user has its own budget; sessions are not limited here.
    _other, other_key = issue_token(admin_user, "other")
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert client.get(CUSTOMERS).status_code == 200


def test_admins_revoke_any_token_in_the_admin_site(admin_client, technician):
    token, _key = issue_token(technician, "laptop")
    assert admin_client.get("/django-admin/accounts/apitoken/").status_code == 200
    response = admin_client.post(
        "/django-admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_api_deletes_are_logged(admin_api, caplog):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    with caplog.at_level("INFO", logger="atera.api"):
        assert admin_api.delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    assert f"customer deleted over the API: id={customer.pk}" in caplog.text
