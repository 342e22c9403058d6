"""The contracts and rates API: each type checked by TYPE_RULES, as in the wizard."""

from decimal import Decimal

from contracts.choices import RateUnit
from contracts.models import Contract
from tests.factories import ContractFactory, CustomerFactory, RateFactory

URL = "/api/v1/contracts/"


def test_an_admin_adds_an_hourly_contract(admin_api):
    customer = CustomerFactory()
    rate = RateFactory()
    extra = RateFactory(amount=Decimal("180.00"))
    response = admin_api.post(
        URL,
        {
            "customer": customer.pk,
            "name": "Support",
            "type": "hourly",
            "rate": rate.pk,
            "additional_rates": [extra.pk],
            "billing_period": "monthly",
            "is_default": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get()
    assert list(contract.additional_rates.all()) == [extra]
    assert contract.is_default


def test_a_retainer_without_quantity_is_refused_naming_the_field(admin_api):
    customer = CustomerFactory()
    rate = RateFactory(unit=RateUnit.FIXED)
    response = admin_api.post(
        URL,
        {
            "customer": customer.pk,
            "name": "Flat",
            "type": "retainer",
            "rate": rate.pk,
            "billing_period": "monthly",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "quantity" in response.json()


def test_a_rate_of_the_wrong_unit_is_refused(admin_api):
    customer = CustomerFactory()
    per_gb = RateFactory(unit=RateUnit.PER_GB)
    response = admin_api.post(
        URL,
        {
            "customer": customer.pk,
            "name": "Hours",
            "type": "hourly",
            "rate": per_gb.pk,
            "billing_period": "monthly",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "rate" in response.json()


def test_technicians_read_contracts_but_do_not_write(tech_api):
    contract = ContractFactory()
    assert tech_api.get(f"{URL}{contract.pk}/").json()["type"] == "block_hours"
    response = tech_api.patch(f"{URL}{contract.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_an_admin_edits_a_contract_with_a_partial_update(admin_api):
    contract = ContractFactory()
    response = admin_api.patch(f"{URL}{contract.pk}/", {"block_hours": "20.00"}, format="json")
    assert response.status_code == 200, response.json()
    contract.refresh_from_db()
    assert contract.block_hours == Decimal("20.00")


def test_rates_are_checked_and_protected(admin_api):
    response = admin_api.post(
        "/api/v1/rates/",
        {"name": "Odd", "amount": "10.00", "currency": "dollars", "unit": "per_hour"},
        format="json",
    )
    assert response.status_code == 400
    assert "currency" in response.json()
    contract = ContractFactory()
    assert admin_api.delete(f"/api/v1/rates/{contract.rate_id}/").status_code == 409
