"""Error answers are pages of the product, not bare server text."""

import pytest

from tests.factories import CustomerFactory


@pytest.mark.django_db
def test_403_and_404_are_styled_pages_with_a_way_back(technician_client):
    forbidden = technician_client.get("/customers/new/")
    assert forbidden.status_code == 403
    assert "You are not allowed to do this" in forbidden.content.decode()
    assert 'href="/"' in forbidden.content.decode()

    missing = technician_client.get("/customers/999999/")
    assert missing.status_code == 404
    assert "This page does not exist" in missing.content.decode()


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


@pytest.mark.django_db
def test_customer_names_are_escaped(admin_client):
    customer = CustomerFactory(name="<script>alert(1)</script>")
    for url in ("/", "/customers/", f"/customers/{customer.pk}/"):
        html = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
