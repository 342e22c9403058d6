"""The contract pages: add, edit with the block balance, delete; admins only."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import services
from contracts.choices import BillingPeriod, ContractType, RateUnit
from contracts.models import BlockTopUp, Contract, Rate, UsageEntry
from customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return Customer.objects.create(name="Acme Corp")


@pytest.fixture
def hourly_rate():
    return Rate.objects.create(
        name="Test labour", amount=Decimal("100.00"), unit=RateUnit.PER_HOUR
    )


@pytest.fixture
def after_hours_rate():
    return Rate.objects.create(
        name="Test after hours", amount=Decimal("150.00"), unit=RateUnit.PER_HOUR
    )


@pytest.fixture
def device_rate():
    return Rate.objects.create(
        name="Test device", amount=Decimal("4.00"), unit=RateUnit.PER_DEVICE
    )


@pytest.fixture
def fixed_rate():
    return Rate.objects.create(name="Test retainer", amount=Decimal("900.00"), unit=RateUnit.FIXED)


@pytest.fixture
def contract(customer, hourly_rate):
    return Contract.objects.create(
        customer=customer,
        name="Support",
        type=ContractType.HOURLY,
        rate=hourly_rate,
        billing_period=BillingPeriod.MONTHLY,
    )


@pytest.fixture
def block_contract(customer, hourly_rate):
    return Contract.objects.create(
        customer=customer,
        name="Ten hours",
        type=ContractType.BLOCK_HOURS,
        block_hours=Decimal("8"),
        rate=hourly_rate,
        overage_rate=hourly_rate,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def contract_data(**fields) -> dict:
    data = {"name": "Managed services", "active": "on"}
    data.update(fields)
    return data


# Add


def test_admin_adds_an_hourly_contract_with_additional_rates(
    client, admin_user, customer, hourly_rate, after_hours_rate
):
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(
            type=ContractType.HOURLY,
            rate=hourly_rate.pk,
            additional_rates=[after_hours_rate.pk],
            billing_period=BillingPeriod.ON_DEMAND,
            quantity="3",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:contracts", args=[customer.pk])
    contract = Contract.objects.get(customer=customer)
    assert contract.name == "Managed services"
    assert contract.type == ContractType.HOURLY
    assert contract.rate == hourly_rate
    assert contract.billing_period == BillingPeriod.ON_DEMAND
    assert list(contract.additional_rates.all()) == [after_hours_rate]
    # A field the hourly type does not use is not kept.
    assert contract.quantity is None
    assert messages_of(response) == ["Contract “Managed services” added."]


def test_add_form_renders_for_an_admin(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.get(reverse("contracts:new", args=[customer.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "New contract for Acme Corp" in html
    assert "data-contract-type" in html
    assert "Show more" in html


def test_hourly_contract_with_a_per_device_rate_is_refused(
    client, admin_user, customer, device_rate
):
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(
            type=ContractType.HOURLY, rate=device_rate.pk, billing_period=BillingPeriod.MONTHLY
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["rate"] == [
        "A “Hourly” contract needs a rate charged per hour; this one is per device."
    ]
    assert not Contract.objects.exists()


def test_a_retainer_cannot_be_billed_on_demand(client, admin_user, customer, fixed_rate):
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(
            type=ContractType.RETAINER,
            quantity="1",
            rate=fixed_rate.pk,
            billing_period=BillingPeriod.ON_DEMAND,
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (
        "A “Retainer / flat fee” contract cannot be billed “On demand”."
        in errors["billing_period"]
    )
    assert not Contract.objects.exists()


def test_missing_figures_of_the_type_are_reported(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(type=ContractType.BLOCK_HOURS),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    for name in ("block_hours", "rate", "overage_rate"):
        assert errors[name] == ["Required for a “Block of hours” contract."], name
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("raised", "field"),
    [
        (ValidationError({"rate": "This rate was retired a moment ago."}), "rate"),
        (ValidationError({"customer": "This rate was retired a moment ago."}), "__all__"),
        (ValidationError("This rate was retired a moment ago."), "__all__"),
    ],
)
def test_a_validation_error_from_the_service_becomes_a_form_error(
    client, admin_user, customer, hourly_rate, monkeypatch, raised, field
):
    def refuse(contract, additional_rates=None):
        raise raised

    monkeypatch.setattr(services, "add_contract", refuse)
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(
            type=ContractType.HOURLY, rate=hourly_rate.pk, billing_period=BillingPeriod.MONTHLY
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["This rate was retired a moment ago."]
    assert "This rate was retired a moment ago." in response.content.decode()
    assert not Contract.objects.exists()


def test_a_new_default_contract_takes_the_flag(
    client, admin_user, customer, contract, hourly_rate
):
    Contract.objects.filter(pk=contract.pk).update(is_default=True)
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:new", args=[customer.pk]),
        contract_data(
            type=ContractType.HOURLY,
            rate=hourly_rate.pk,
            billing_period=BillingPeriod.MONTHLY,
            is_default="on",
        ),
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert not contract.is_default
    assert Contract.objects.get(name="Managed services").is_default


def test_add_for_an_unknown_customer_is_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("contracts:new", args=[999_999])).status_code == 404


# Roles


def test_technicians_may_not_add_edit_or_delete_contracts(
    client, technician, customer, contract, hourly_rate
):
    client.force_login(technician)
    data = contract_data(
        type=ContractType.HOURLY, rate=hourly_rate.pk, billing_period=BillingPeriod.WEEKLY
    )
    urls = [
        reverse("contracts:new", args=[customer.pk]),
        reverse("contracts:edit", args=[contract.pk]),
        reverse("contracts:delete", args=[contract.pk]),
    ]

    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url

    contract.refresh_from_db()
    assert contract.name == "Support"
    assert contract.billing_period == BillingPeriod.MONTHLY
    assert Contract.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, customer, contract):
    urls = [
        reverse("contracts:new", args=[customer.pk]),
        reverse("contracts:edit", args=[contract.pk]),
        reverse("contracts:delete", args=[contract.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_contract_is_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("contracts:edit", args=[999_999])).status_code == 404
    assert client.get(reverse("contracts:delete", args=[999_999])).status_code == 404
    assert client.post(reverse("contracts:delete", args=[999_999])).status_code == 404


# Edit


def test_admin_edits_a_contract(client, admin_user, customer, contract, hourly_rate):
    client.force_login(admin_user)
    url = reverse("contracts:edit", args=[contract.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Support"' in page.content.decode()

    response = client.post(
        url,
        contract_data(
            name="Support 2027",
            type=ContractType.HOURLY,
            rate=hourly_rate.pk,
            billing_period=BillingPeriod.QUARTERLY,
            start_date="2027-01-01",
            end_date="2027-12-31",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:contracts", args=[customer.pk])
    contract.refresh_from_db()
    assert contract.name == "Support 2027"
    assert contract.billing_period == BillingPeriod.QUARTERLY
    assert contract.end_date == datetime.date(2027, 12, 31)
    assert messages_of(response) == ["Contract “Support 2027” saved."]


def test_edit_refuses_an_end_before_the_start(client, admin_user, contract, hourly_rate):
    client.force_login(admin_user)

    response = client.post(
        reverse("contracts:edit", args=[contract.pk]),
        contract_data(
            name="Support",
            type=ContractType.HOURLY,
            rate=hourly_rate.pk,
            billing_period=BillingPeriod.MONTHLY,
            start_date="2027-06-01",
            end_date="2027-01-01",
        ),
    )

    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    contract.refresh_from_db()
    assert contract.start_date is None


def test_edit_page_of_a_block_contract_shows_its_balance(client, admin_user, block_contract):
    BlockTopUp.objects.create(
        contract=block_contract, hours=Decimal("2"), purchased_on=datetime.date(2026, 1, 5)
    )
    UsageEntry.objects.create(
        contract=block_contract, date=datetime.date(2026, 2, 1), hours=Decimal("8.5")
    )
    client.force_login(admin_user)

    response = client.get(reverse("contracts:edit", args=[block_contract.pk]))

    balance = response.context["balance"]
    assert (balance.total, balance.used, balance.remaining) == (
        Decimal("10"),
        Decimal("8.5"),
        Decimal("1.5"),
    )
    assert balance.percent_used == 85
    html = response.content.decode()
    assert "Balance" in html
    assert "80 % used" in html
    assert "95 % used" not in html
    assert 'value="85"' in html


def test_balance_notice_reaches_95_percent(client, admin_user, block_contract):
    UsageEntry.objects.create(
        contract=block_contract, date=datetime.date(2026, 2, 1), hours=Decimal("7.75")
    )
    client.force_login(admin_user)

    response = client.get(reverse("contracts:edit", args=[block_contract.pk]))

    html = response.content.decode()
    assert response.context["balance"].percent_used == 96
    assert "95 % used" in html
    assert "80 % used" not in html


def test_edit_page_of_an_hourly_contract_has_no_balance(client, admin_user, contract):
    client.force_login(admin_user)

    response = client.get(reverse("contracts:edit", args=[contract.pk]))

    assert response.context["balance"] is None
    assert "balance-heading" not in response.content.decode()


def test_edit_page_runs_a_fixed_number_of_queries(
    client, admin_user, block_contract, after_hours_rate, django_assert_max_num_queries
):
    for number in range(5):
        UsageEntry.objects.create(
            contract=block_contract, date=datetime.date(2026, 2, number + 1), hours=Decimal("1")
        )
    block_contract.additional_rates.add(after_hours_rate)
    client.force_login(admin_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("contracts:edit", args=[block_contract.pk]))

    assert response.status_code == 200


# Delete


def test_admin_confirms_then_deletes_a_contract(client, admin_user, customer, block_contract):
    UsageEntry.objects.create(
        contract=block_contract, date=datetime.date(2026, 2, 1), hours=Decimal("1")
    )
    client.force_login(admin_user)
    url = reverse("contracts:delete", args=[block_contract.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete Ten hours?" in html
    assert "Its 1 usage entry is deleted with it." in html
    assert Contract.objects.filter(pk=block_contract.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:contracts", args=[customer.pk])
    assert not Contract.objects.filter(pk=block_contract.pk).exists()
    assert not UsageEntry.objects.exists()
    assert messages_of(response) == ["Contract “Ten hours” deleted."]
