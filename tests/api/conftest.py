"""API fixtures: token clients for an admin and a technician."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue_token


def token_client(user) -> APIClient:
    _token, key = issue_token(user, "tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return token_client(admin_user)


@pytest.fixture
def tech_api(technician) -> APIClient:
    return token_client(technician)
