"""Contract rules per type (contracts/rules.py), their database checks, and block balances."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.choices import (
    BackupScope,
    BillingPeriod,
    ContractType,
    DeviceScope,
    NewDeviceBilling,
    RateUnit,
)
from contracts.forms import ContractForm
from contracts.models import BlockTopUp, Contract, UsageEntry
from contracts.rules import TYPE_RULES
from tests.factories import ContractFactory, CustomerFactory, RateFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


def rate(unit: str = RateUnit.PER_HOUR, amount: str = "120.00"):
    return RateFactory(unit=unit, amount=Decimal(amount))


def valid_fields(kind: str) -> dict:
    """The type-specific figures that make a contract of ``kind`` complete."""
    return {
        ContractType.RETAINER: lambda: {
            "quantity": 1,
            "rate": rate(RateUnit.FIXED, "1000.00"),
            "billing_period": BillingPeriod.MONTHLY,
        },
        ContractType.HOURLY: lambda: {
            "rate": rate(),
            "billing_period": BillingPeriod.ON_DEMAND,
        },
        ContractType.BLOCK_HOURS: lambda: {
            "block_hours": Decimal("20"),
            "rate": rate(),
            "overage_rate": rate(amount="150.00"),
            "rollover": True,
        },
        ContractType.BLOCK_MONEY: lambda: {
            "block_amount": Decimal("5000.00"),
            "rate": rate(),
            "overage_rate": rate(amount="150.00"),
            "billing_period": BillingPeriod.QUARTERLY,
        },
        ContractType.REMOTE_MONITORING: lambda: {
            "device_scope": DeviceScope.ALL_AGENTS,
            "rate": rate(RateUnit.PER_DEVICE, "5.00"),
            "billing_period": BillingPeriod.MONTHLY,
            "new_device_billing": NewDeviceBilling.NEXT_PERIOD,
        },
        ContractType.ONLINE_BACKUP: lambda: {
            "backup_scope": BackupScope.TOTAL_GB,
            "rate": rate(RateUnit.PER_GB, "0.10"),
            "billing_period": BillingPeriod.YEARLY,
        },
        ContractType.PROJECT_FIXED: lambda: {"total_amount": Decimal("12000.00")},
        ContractType.PROJECT_HOURLY: lambda: {"rate": rate()},
    }[kind]()


def contract(kind: str, **fields) -> Contract:
    """An unsaved contract of ``kind`` for a saved customer."""
    return Contract(customer=CustomerFactory(), name="Support", type=kind, **fields)


def errors_of(instance: Contract) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


@pytest.fixture
def customer():
    return CustomerFactory()


class TestTypeRules:
    @pytest.mark.parametrize("kind", ContractType.values)
    def test_a_complete_contract_of_each_type_is_valid(self, kind):
        instance = contract(kind, **valid_fields(kind))

        instance.full_clean()
        instance.save()

        assert Contract.objects.get(pk=instance.pk).type == kind

    @pytest.mark.parametrize(
        ("kind", "required"),
        [
            (ContractType.RETAINER, {"quantity", "rate", "billing_period"}),
            (ContractType.HOURLY, {"rate", "billing_period"}),
            (ContractType.BLOCK_HOURS, {"block_hours", "rate", "overage_rate"}),
            (ContractType.BLOCK_MONEY, {"block_amount", "rate", "overage_rate", "billing_period"}),
            (
                ContractType.REMOTE_MONITORING,
                {"device_scope", "rate", "billing_period", "new_device_billing"},
            ),
            (ContractType.ONLINE_BACKUP, {"backup_scope", "rate", "billing_period"}),
            (ContractType.PROJECT_FIXED, {"total_amount"}),
            (ContractType.PROJECT_HOURLY, {"rate"}),
        ],
    )
    def test_each_missing_required_field_is_reported_on_that_field(self, kind, required):
        instance = contract(kind)

        errors = errors_of(instance)

        assert set(errors) == required
        label = ContractType(kind).label
        for name in required:
            assert errors[name] == [f"Required for a “{label}” contract."]

    def test_every_type_has_a_rule(self):
        assert set(TYPE_RULES) == set(ContractType.values)

    @pytest.mark.parametrize(
        "kind",
        [kind for kind in ContractType.values if kind != ContractType.HOURLY],
    )
    def test_on_demand_billing_is_refused_for_every_type_but_hourly(self, kind):
        fields = valid_fields(kind)
        fields["billing_period"] = BillingPeriod.ON_DEMAND
        instance = contract(kind, **fields)

        if "billing_period" in TYPE_RULES[kind].fields:
            errors = errors_of(instance)
            label = ContractType(kind).label
            assert errors == {
                "billing_period": [f"A “{label}” contract cannot be billed “On demand”."]
            }
        else:
            # Project contracts are invoiced once: the period is cleared, never kept.
            instance.full_clean()
            assert instance.billing_period == ""

    @pytest.mark.parametrize("period", BillingPeriod.values)
    def test_an_hourly_contract_takes_any_billing_period(self, period):
        fields = valid_fields(ContractType.HOURLY)
        fields["billing_period"] = period
        instance = contract(ContractType.HOURLY, **fields)

        instance.full_clean()

        assert instance.billing_period == period

    @pytest.mark.parametrize(
        "kind",
        [ContractType.RETAINER, ContractType.BLOCK_HOURS, ContractType.REMOTE_MONITORING],
    )
    def test_the_database_refuses_on_demand_billing_except_for_hourly(self, kind):
        fields = valid_fields(kind)
        fields["billing_period"] = BillingPeriod.ON_DEMAND

        with pytest.raises(IntegrityError), transaction.atomic():
            contract(kind, **fields).save()

    def test_the_database_accepts_on_demand_for_hourly(self):
        instance = contract(ContractType.HOURLY, **valid_fields(ContractType.HOURLY))
        instance.save()

        instance.refresh_from_db()
        assert instance.billing_period == BillingPeriod.ON_DEMAND

    @pytest.mark.parametrize(
        ("kind", "field", "unit"),
        [
            (ContractType.HOURLY, "rate", RateUnit.PER_DEVICE),
            (ContractType.HOURLY, "rate", RateUnit.FIXED),
            (ContractType.BLOCK_HOURS, "overage_rate", RateUnit.PER_GB),
            (ContractType.BLOCK_MONEY, "rate", RateUnit.FIXED),
            (ContractType.REMOTE_MONITORING, "rate", RateUnit.PER_HOUR),
            (ContractType.ONLINE_BACKUP, "rate", RateUnit.PER_DEVICE),
            (ContractType.PROJECT_HOURLY, "rate", RateUnit.PER_GB),
            (ContractType.RETAINER, "rate", RateUnit.PER_GB),
        ],
    )
    def test_a_rate_in_the_wrong_unit_is_refused(self, kind, field, unit):
        fields = valid_fields(kind)
        fields[field] = rate(unit)
        instance = contract(kind, **fields)

        errors = errors_of(instance)

        assert list(errors) == [field]
        message = errors[field][0]
        assert message.startswith(f"A “{ContractType(kind).label}” contract needs a rate charged")
        assert message.endswith(f"this one is {RateUnit(unit).label}.")

    def test_the_message_lists_the_units_a_type_accepts(self):
        fields = valid_fields(ContractType.HOURLY)
        fields["rate"] = rate(RateUnit.PER_DEVICE)

        errors = errors_of(contract(ContractType.HOURLY, **fields))

        assert errors["rate"] == [
            "A “Hourly” contract needs a rate charged per hour; this one is per device."
        ]

    def test_a_retainer_accepts_a_fixed_per_device_or_hourly_rate(self):
        for unit in (RateUnit.FIXED, RateUnit.PER_DEVICE, RateUnit.PER_HOUR):
            fields = valid_fields(ContractType.RETAINER)
            fields["rate"] = rate(unit)
            instance = contract(ContractType.RETAINER, **fields)
            instance.full_clean()
            assert instance.rate.unit == unit

    def test_clean_empties_the_fields_the_type_does_not_use(self):
        instance = contract(
            ContractType.PROJECT_FIXED,
            total_amount=Decimal("900.00"),
            quantity=3,
            rate=rate(),
            overage_rate=rate(),
            block_hours=Decimal("10"),
            block_amount=Decimal("500.00"),
            rollover=True,
            device_scope=DeviceScope.SERVERS,
            new_device_billing=NewDeviceBilling.NOW,
            backup_scope=BackupScope.SERVERS_GB,
            billing_period=BillingPeriod.MONTHLY,
        )

        instance.full_clean()
        instance.save()
        instance.refresh_from_db()

        assert instance.total_amount == Decimal("900.00")
        assert (instance.quantity, instance.rate, instance.overage_rate) == (None, None, None)
        assert (instance.block_hours, instance.block_amount) == (None, None)
        assert instance.rollover is False
        assert instance.device_scope == instance.new_device_billing == ""
        assert instance.backup_scope == instance.billing_period == ""

    def test_clean_keeps_the_fields_the_type_uses(self):
        fields = valid_fields(ContractType.BLOCK_HOURS)
        instance = contract(
            ContractType.BLOCK_HOURS,
            billing_period=BillingPeriod.MONTHLY,
            total_amount=Decimal("1.00"),
            quantity=4,
            **fields,
        )

        instance.full_clean()

        assert instance.block_hours == Decimal("20")
        assert instance.rate == fields["rate"]
        assert instance.overage_rate == fields["overage_rate"]
        assert instance.rollover is True
        assert instance.billing_period == BillingPeriod.MONTHLY
        assert (instance.total_amount, instance.quantity) == (None, None)

    def test_a_missing_type_is_reported_on_the_type(self):
        errors = errors_of(contract(""))

        assert "type" in errors

    def test_an_unknown_type_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            contract("barter").save()

    def test_clean_trims_the_name(self):
        instance = contract(ContractType.PROJECT_FIXED, total_amount=Decimal("1.00"))
        instance.name = "  Website rebuild  "

        instance.full_clean()

        assert instance.name == "Website rebuild"


class TestDates:
    def test_end_before_start_is_refused_by_clean(self):
        instance = contract(
            ContractType.PROJECT_FIXED,
            total_amount=Decimal("100.00"),
            start_date=TODAY,
            end_date=TODAY - datetime.timedelta(days=1),
        )

        assert errors_of(instance)["end_date"] == ["The end date cannot be before the start date."]

    def test_end_before_start_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractFactory(start_date=TODAY, end_date=TODAY - datetime.timedelta(days=1))

    @pytest.mark.parametrize(
        ("start", "end"),
        [(TODAY, TODAY), (TODAY, TODAY + datetime.timedelta(days=365)), (None, TODAY)],
    )
    def test_open_or_ordered_dates_are_accepted(self, start, end):
        instance = ContractFactory(start_date=start, end_date=end)

        instance.full_clean()

        assert Contract.objects.filter(pk=instance.pk, end_date=end).exists()


class TestDefaultContract:
    def test_one_default_contract_per_customer(self, customer):
        ContractFactory(customer=customer, is_default=True)

        with pytest.raises(IntegrityError), transaction.atomic():
            ContractFactory(customer=customer, is_default=True)

        assert customer.contracts.filter(is_default=True).count() == 1

    def test_other_contracts_and_other_customers_are_unaffected(self, customer):
        ContractFactory(customer=customer, is_default=True)
        ContractFactory(customer=customer, is_default=False)
        ContractFactory(is_default=True)

        assert Contract.objects.filter(is_default=True).count() == 2
        assert customer.contracts.count() == 2

    def test_full_clean_reports_a_second_default(self, customer):
        ContractFactory(customer=customer, is_default=True)
        second = ContractFactory.build(customer=customer, is_default=True)
        second.rate.save()
        second.overage_rate.save()

        with pytest.raises(ValidationError) as excinfo:
            second.full_clean()

        assert "This customer has a default contract already." in excinfo.value.messages


class TestBlockOfHoursBalance:
    def test_the_factory_builds_a_valid_block_of_hours_contract(self):
        instance = ContractFactory()

        instance.full_clean()

        assert instance.type == ContractType.BLOCK_HOURS

    def test_a_fresh_block_has_nothing_used(self):
        balance = ContractFactory(block_hours=Decimal("10")).balance()

        assert (balance.total, balance.used, balance.remaining) == (
            Decimal("10"),
            Decimal("0"),
            Decimal("10"),
        )
        assert balance.percent_used == 0
        assert balance.notice is None

    def test_top_ups_add_to_the_block_and_usage_is_debited(self):
        instance = ContractFactory(block_hours=Decimal("10"))
        BlockTopUp.objects.create(contract=instance, hours=Decimal("5"), purchased_on=TODAY)
        BlockTopUp.objects.create(contract=instance, hours=Decimal("5"), purchased_on=TODAY)
        UsageEntry.objects.create(contract=instance, date=TODAY, hours=Decimal("7.5"))
        UsageEntry.objects.create(contract=instance, date=TODAY, hours=Decimal("2.5"))

        balance = instance.balance()

        assert balance.total == Decimal("20")
        assert balance.used == Decimal("10")
        assert balance.remaining == Decimal("10")
        assert balance.percent_used == 50
        assert balance.notice is None

    @pytest.mark.parametrize(
        ("used", "percent", "notice"),
        [
            ("7.99", 79, None),
            ("8", 80, 80),
            ("9.49", 94, 80),
            ("9.5", 95, 95),
            ("10", 100, 95),
            ("12", 120, 95),
        ],
    )
    def test_notices_at_80_and_95_percent_used(self, used, percent, notice):
        instance = ContractFactory(block_hours=Decimal("10"))
        UsageEntry.objects.create(contract=instance, date=TODAY, hours=Decimal(used))

        balance = instance.balance()

        assert balance.percent_used == percent
        assert balance.notice == notice

    def test_a_top_up_lifts_the_notice(self):
        instance = ContractFactory(block_hours=Decimal("10"))
        UsageEntry.objects.create(contract=instance, date=TODAY, hours=Decimal("9.6"))
        assert instance.balance().notice == 95

        BlockTopUp.objects.create(contract=instance, hours=Decimal("10"), purchased_on=TODAY)

        balance = instance.balance()
        assert balance.percent_used == 48
        assert balance.notice is None

    def test_a_top_up_needs_hours_or_an_amount(self):
        instance = ContractFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            BlockTopUp.objects.create(contract=instance, purchased_on=TODAY)

    @pytest.mark.parametrize(
        ("kind", "top_up"),
        [
            (ContractType.BLOCK_HOURS, {"amount": Decimal("100.00")}),
            (ContractType.BLOCK_MONEY, {"hours": Decimal("5")}),
            (ContractType.HOURLY, {"hours": Decimal("5")}),
        ],
    )
    def test_a_top_up_must_fit_the_block(self, kind, top_up):
        instance = contract(kind, **valid_fields(kind))
        instance.save()

        with pytest.raises(ValidationError):
            BlockTopUp(contract=instance, purchased_on=TODAY, **top_up).full_clean()

    def test_contracts_without_a_block_have_no_balance(self):
        instance = contract(ContractType.HOURLY, **valid_fields(ContractType.HOURLY))
        instance.save()

        assert instance.has_balance is False
        assert instance.balance() is None


class TestBlockOfMoneyBalance:
    @pytest.fixture
    def money_block(self):
        instance = contract(
            ContractType.BLOCK_MONEY,
            block_amount=Decimal("1000.00"),
            rate=rate(amount="120.00"),
            overage_rate=rate(amount="150.00"),
            billing_period=BillingPeriod.MONTHLY,
        )
        instance.full_clean()
        instance.save()
        return instance

    def test_usage_is_charged_hours_times_the_rate(self, money_block):
        entry = UsageEntry.objects.create(contract=money_block, date=TODAY, hours=Decimal("2.5"))

        entry.refresh_from_db()
        assert entry.amount == Decimal("300.00")

    def test_the_amount_is_rounded_to_cents(self, money_block):
        entry = UsageEntry.objects.create(contract=money_block, date=TODAY, hours=Decimal("0.33"))

        entry.refresh_from_db()
        assert entry.amount == Decimal("39.60")

    def test_an_amount_given_explicitly_is_kept(self, money_block):
        entry = UsageEntry.objects.create(
            contract=money_block, date=TODAY, hours=Decimal("1"), amount=Decimal("99.00")
        )

        entry.refresh_from_db()
        assert entry.amount == Decimal("99.00")

    def test_the_balance_counts_money_and_money_top_ups(self, money_block):
        UsageEntry.objects.create(contract=money_block, date=TODAY, hours=Decimal("2.5"))
        UsageEntry.objects.create(contract=money_block, date=TODAY, hours=Decimal("5"))

        balance = money_block.balance()
        assert (balance.total, balance.used, balance.remaining) == (
            Decimal("1000.00"),
            Decimal("900.00"),
            Decimal("100.00"),
        )
        assert (balance.percent_used, balance.notice) == (90, 80)
        assert balance.unit == money_block.currency

        BlockTopUp.objects.create(
            contract=money_block, amount=Decimal("500.00"), purchased_on=TODAY
        )

        balance = money_block.balance()
        assert balance.total == Decimal("1500.00")
        assert (balance.percent_used, balance.notice) == (60, None)


class TestTopUpRules:
    def test_a_top_up_on_an_unsaved_block_of_hours_is_checked_against_its_type(self):
        unsaved = contract(ContractType.BLOCK_HOURS, **valid_fields(ContractType.BLOCK_HOURS))
        top_up = BlockTopUp(contract=unsaved, amount=Decimal("100.00"), purchased_on=TODAY)

        with pytest.raises(ValidationError) as excinfo:
            top_up.clean()

        assert excinfo.value.message_dict == {
            "hours": ["A block of hours is topped up with hours."]
        }

    def test_a_top_up_on_an_unsaved_block_of_money_is_checked_against_its_type(self):
        unsaved = contract(ContractType.BLOCK_MONEY, **valid_fields(ContractType.BLOCK_MONEY))
        top_up = BlockTopUp(contract=unsaved, hours=Decimal("5"), purchased_on=TODAY)

        with pytest.raises(ValidationError) as excinfo:
            top_up.clean()

        assert excinfo.value.message_dict == {
            "amount": ["A block of money is topped up with money."]
        }

    def test_a_saved_contract_that_is_not_a_block_cannot_be_topped_up(self):
        instance = contract(ContractType.PROJECT_FIXED, total_amount=Decimal("100.00"))
        instance.save()
        top_up = BlockTopUp(contract_id=instance.pk, hours=Decimal("5"), purchased_on=TODAY)

        with pytest.raises(ValidationError) as excinfo:
            top_up.clean()

        assert excinfo.value.messages == ["Only block contracts can be topped up."]

    def test_a_top_up_without_a_contract_yet_has_nothing_to_check(self):
        BlockTopUp(hours=Decimal("5"), purchased_on=TODAY).clean()


class TestCurrency:
    @pytest.mark.parametrize("code", ["USD", "EUR", "CHF"])
    def test_three_upper_case_letters_are_accepted(self, code):
        instance = contract(ContractType.PROJECT_FIXED, total_amount=Decimal("1.00"))
        instance.currency = code
        new_rate = rate()
        new_rate.currency = code

        instance.full_clean()
        new_rate.full_clean()

    @pytest.mark.parametrize("code", ["€€€", "usd", "US", "US1", "ÉUR", "U D"])
    def test_anything_else_is_refused_by_full_clean(self, code):
        instance = contract(ContractType.PROJECT_FIXED, total_amount=Decimal("1.00"))
        instance.currency = code
        new_rate = rate()
        new_rate.currency = code

        message = ["Enter a three-letter currency code such as USD or EUR."]
        assert errors_of(instance) == {"currency": message}
        with pytest.raises(ValidationError) as excinfo:
            new_rate.full_clean()
        assert excinfo.value.message_dict == {"currency": message}

    @pytest.mark.parametrize("code", ["€€€", "usd", "ÉUR", "U1D"])
    def test_the_database_refuses_a_currency_that_is_not_a_code(self, code):
        with pytest.raises(IntegrityError), transaction.atomic():
            RateFactory(currency=code)
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractFactory(currency=code)


class TestQuantity:
    def test_a_quantity_above_a_million_is_refused(self):
        fields = valid_fields(ContractType.RETAINER)
        fields["quantity"] = 1_000_001

        assert errors_of(contract(ContractType.RETAINER, **fields)) == {
            "quantity": ["Ensure this value is less than or equal to 1000000."]
        }

    def test_the_database_refuses_a_quantity_above_a_million(self):
        fields = valid_fields(ContractType.RETAINER)
        fields["quantity"] = 1_000_001

        with pytest.raises(IntegrityError), transaction.atomic():
            contract(ContractType.RETAINER, **fields).save()


class TestOneErrorPerField:
    """A field that failed its own validation is not reported "Required" on top."""

    def form(self, kind: str, **fields) -> ContractForm:
        data = {"name": "Support", "type": kind, "active": "on", **fields}
        return ContractForm(data=data, instance=Contract(customer=CustomerFactory()))

    def test_too_many_digits_in_the_block_hours(self):
        form = self.form(
            ContractType.BLOCK_HOURS,
            block_hours="1e9",
            rate=rate().pk,
            overage_rate=rate().pk,
        )

        assert not form.is_valid()
        assert form.errors == {
            "block_hours": ["Ensure that there are no more than 8 digits in total."]
        }

    def test_a_rate_that_does_not_exist(self):
        form = self.form(ContractType.PROJECT_HOURLY, rate="999999")

        assert not form.is_valid()
        assert form.errors == {
            "rate": ["Select a valid choice. That choice is not one of the available choices."]
        }

    def test_a_quantity_out_of_bounds(self):
        form = self.form(
            ContractType.RETAINER,
            quantity="9223372036854775808",
            rate=rate(RateUnit.FIXED).pk,
            billing_period=BillingPeriod.MONTHLY,
        )

        assert not form.is_valid()
        assert form.errors == {"quantity": ["Ensure this value is less than or equal to 1000000."]}

    def test_an_unknown_type(self):
        form = self.form("barter")

        assert not form.is_valid()
        assert form.errors == {
            "type": ["Select a valid choice. barter is not one of the available choices."]
        }

    def test_an_empty_required_field_is_still_reported(self):
        form = self.form(ContractType.PROJECT_HOURLY)

        assert not form.is_valid()
        assert form.errors == {"rate": ["Required for a “Project: hourly rate” contract."]}
