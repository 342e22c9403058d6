"""The Django admin's contract pages: top-ups on new contracts, and additional rates."""

import pytest

from contracts.choices import BillingPeriod, ContractType, RateUnit
from contracts.models import BlockTopUp, Contract, Rate
from tests.factories import ContractFactory, CustomerFactory, RateFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/django-admin/contracts/contract/add/"
RATE_ADD_URL = "/django-admin/contracts/rate/add/"


def change_url(contract: Contract) -> str:
    return f"/django-admin/contracts/contract/{contract.pk}/change/"


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(customer, kind: str, top_ups: list[dict] | None = None, **fields) -> dict:
    top_ups = top_ups or []
    data = {
        "customer": customer.pk,
        "name": "Support",
        "type": kind,
        "currency": "USD",
        "active": "on",
        **management("top_ups", total=len(top_ups)),
        **management("usage"),
    }
    for index, top_up in enumerate(top_ups):
        for name, value in top_up.items():
            data[f"top_ups-{index}-{name}"] = value
    data.update(fields)
    return data


def block_of_hours(customer, **fields) -> dict:
    return form_data(
        customer,
        ContractType.BLOCK_HOURS,
        block_hours="10",
        rate=RateFactory().pk,
        overage_rate=RateFactory().pk,
        **fields,
    )


@pytest.fixture
def customer():
    return CustomerFactory()


class TestTopUpsOnANewContract:
    def test_a_block_of_hours_topped_up_with_money_is_refused(self, admin_client, customer):
        data = block_of_hours(customer, top_ups=[{"amount": "500", "purchased_on": "2025-03-01"}])

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 200
        errors = response.context["inline_admin_formsets"][0].formset.errors
        assert errors[0]["hours"] == ["A block of hours is topped up with hours."]
        assert not Contract.objects.exists()
        assert not BlockTopUp.objects.exists()

    def test_a_contract_that_is_not_a_block_cannot_be_topped_up(self, admin_client, customer):
        data = form_data(
            customer,
            ContractType.PROJECT_FIXED,
            total_amount="1000",
            top_ups=[{"hours": "5", "purchased_on": "2025-03-01"}],
        )

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 200
        formset = response.context["inline_admin_formsets"][0].formset
        assert formset.errors[0]["__all__"] == ["Only block contracts can be topped up."]
        assert not Contract.objects.exists()

    def test_a_block_of_hours_is_added_with_its_top_up(self, admin_client, customer):
        data = block_of_hours(customer, top_ups=[{"hours": "5", "purchased_on": "2025-03-01"}])

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 302
        contract = Contract.objects.get()
        assert contract.balance().total == 15


class TestAdditionalRates:
    def test_an_additional_rate_that_is_not_hourly_is_refused(self, admin_client, customer):
        per_device = RateFactory(name="Per device", unit=RateUnit.PER_DEVICE)
        data = form_data(
            customer,
            ContractType.HOURLY,
            rate=RateFactory().pk,
            billing_period=BillingPeriod.MONTHLY,
            additional_rates=[RateFactory().pk, per_device.pk],
        )

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["additional_rates"] == [
            "Additional rates are charged per hour; these are not: Per device."
        ]
        assert not Contract.objects.exists()

    def test_hourly_additional_rates_are_kept_on_a_type_that_uses_them(
        self, admin_client, customer
    ):
        after_hours = RateFactory(name="After hours")
        data = form_data(
            customer,
            ContractType.HOURLY,
            rate=RateFactory().pk,
            billing_period=BillingPeriod.MONTHLY,
            additional_rates=[after_hours.pk],
        )

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 302
        assert list(Contract.objects.get().additional_rates.all()) == [after_hours]

    def test_additional_rates_are_cleared_on_a_type_that_does_not_use_them(
        self, admin_client, customer
    ):
        per_device = RateFactory(unit=RateUnit.PER_DEVICE)
        data = block_of_hours(customer, additional_rates=[RateFactory().pk, per_device.pk])

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 302
        assert not Contract.objects.get().additional_rates.exists()

    def test_changing_the_type_clears_the_additional_rates(self, admin_client, customer):
        contract = ContractFactory(
            customer=customer,
            type=ContractType.HOURLY,
            block_hours=None,
            overage_rate=None,
            billing_period=BillingPeriod.MONTHLY,
        )
        contract.additional_rates.set([RateFactory()])
        data = block_of_hours(
            customer,
            additional_rates=list(contract.additional_rates.values_list("pk", flat=True)),
        )

        response = admin_client.post(change_url(contract), data)

        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.type == ContractType.BLOCK_HOURS
        assert not contract.additional_rates.exists()


class TestFigures:
    def test_a_currency_that_is_not_a_code_is_refused(self, admin_client):
        response = admin_client.post(
            RATE_ADD_URL, {"name": "Euro rate", "amount": "10", "currency": "€€€", "unit": "hour"}
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["currency"] == [
            "Enter a three-letter currency code such as USD or EUR."
        ]
        assert not Rate.objects.filter(name="Euro rate").exists()

    def test_a_quantity_beyond_the_bound_gets_one_plain_error(self, admin_client, customer):
        data = form_data(
            customer,
            ContractType.RETAINER,
            quantity="9223372036854775808",
            rate=RateFactory(unit=RateUnit.FIXED).pk,
            billing_period=BillingPeriod.MONTHLY,
        )

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["quantity"] == [
            "Ensure this value is less than or equal to 1000000."
        ]
        assert not Contract.objects.exists()
