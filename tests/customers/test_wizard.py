"""The New → Customer wizard on the server: per-step validation, Back, one transaction,
replays and expired sessions."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from contacts.models import Contact
from contracts.choices import ContractType
from contracts.models import Contract, Rate
from customers.models import Customer
from sla.models import SLAPolicy
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory

WIZARD = "/customers/new/"
PREFIX = "customer_wizard_view"

pytestmark = pytest.mark.django_db


class Wizard:
    """Drives the wizard through a test client the way a browser posts its steps."""

    def __init__(self, client):
        self.client = client
        response = client.get(WIZARD)
        assert response.status_code == 200
        self.key = response.context["wizard_key"]
        assert self.key, "the first step must carry the run's key"

    def post(self, step: str, data: dict | None = None, **extra):
        payload = {f"{PREFIX}-current_step": step, "wizard_key": self.key}
        payload.update({f"{step}-{name}": value for name, value in (data or {}).items()})
        payload.update(extra)
        return self.client.post(WIZARD, payload)

    def current_step(self, response) -> str:
        return response.context["wizard"]["steps"].current


CUSTOMER = {"name": "Acme Corporation", "domains": "acme.example, ACME-corp.example"}
CONTACT = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@acme.example",
    "active": "on",
    "is_main": "on",
}
SLA_DEFAULT = {"sla_mode": "existing", "sla": ""}


def sla_step(**overrides) -> dict:
    from monitoring.models import ThresholdProfile

    data = {**SLA_DEFAULT, "threshold_profile": ThresholdProfile.objects.get(is_default=True).pk}
    data.update(overrides)
    return data


def new_policy(**overrides) -> dict:
    data = {
        "sla_mode": "new",
        "new_name": "Extended hours",
        "new_time_zone": "Europe/Paris",
        "new_weekdays": ["0", "1", "2", "3", "4", "5"],
        "new_day_start": "07:00",
        "new_day_end": "19:00",
    }
    for priority, (first, resolution) in {
        "low": (480, 2400),
        "medium": (240, 1440),
        "high": (60, 480),
        "critical": (15, 120),
    }.items():
        data[f"{priority}_first_response"] = first
        data[f"{priority}_resolution"] = resolution
    data.update(overrides)
    return sla_step(**data)


def block_of_hours() -> dict:
    return {
        "name": "Support block",
        "type": ContractType.BLOCK_HOURS,
        "block_hours": "10",
        "rate": Rate.objects.get(name="Standard labour").pk,
        "overage_rate": Rate.objects.get(name="After-hours labour").pk,
        "active": "on",
    }


def test_all_four_steps_write_everything_at_the_end_only(admin_client, admin_user):
    wizard = Wizard(admin_client)

    response = wizard.post("customer", CUSTOMER)
    assert wizard.current_step(response) == "contract"
    response = wizard.post("contract", block_of_hours())
    assert wizard.current_step(response) == "sla"
    response = wizard.post("sla", new_policy())
    assert wizard.current_step(response) == "contact"
    assert (Customer.objects.count(), Contract.objects.count(), Contact.objects.count()) == (
        0,
        0,
        0,
    )
    assert not SLAPolicy.objects.filter(name="Extended hours").exists()

    response = wizard.post("contact", CONTACT)

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:detail", args=[customer.pk])
    assert customer.created_by == admin_user
    assert sorted(customer.domains.values_list("domain", flat=True)) == [
        "acme-corp.example",
        "acme.example",
    ]
    assert customer.sla.name == "Extended hours"
    assert customer.sla.intervals.count() == 6
    assert customer.threshold_profile.is_default
    contract = customer.contracts.get()
    assert (contract.type, contract.block_hours, contract.is_default) == (
        ContractType.BLOCK_HOURS,
        10,
        True,
    )
    contact = customer.contacts.get()
    assert (contact.email, contact.is_main) == ("jane@acme.example", True)


def test_contract_step_can_be_skipped_and_default_sla_applies(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", {"name": "Skipper Ltd"})

    response = wizard.post("contract", {}, **{"contract-skip": "1"})
    assert wizard.current_step(response) == "sla"
    wizard.post("sla", sla_step())
    wizard.post("contact", {**CONTACT, "email": "sam@skipper.example"})

    customer = Customer.objects.get(name="Skipper Ltd")
    assert customer.contracts.count() == 0
    assert customer.sla is None
    assert customer.contacts.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x", "domains": "gmail.com"}, "shared free-mail domain"),
        ({"name": "x", "domains": "not a domain!"}, "is not a valid domain name"),
        ({"name": "x", "domains": "someone@acme.example"}, "enter it without “@”"),
    ],
)
def test_customer_step_is_validated_on_the_server(admin_client, data, message):
    wizard = Wizard(admin_client)
    response = wizard.post("customer", data)
    assert wizard.current_step(response) == "customer"
    assert message in response.content.decode()


def test_customer_name_clash_is_case_and_space_insensitive(admin_client):
    CustomerFactory(name="Acme Corporation")
    wizard = Wizard(admin_client)
    response = wizard.post("customer", {"name": "  acme   CORPORATION "})
    assert wizard.current_step(response) == "customer"
    assert "A customer named “acme CORPORATION” exists already" in response.content.decode()


def test_domain_of_another_customer_is_refused_with_its_name(admin_client):
    CustomerDomainFactory(domain="acme.example", customer=CustomerFactory(name="Old Acme"))
    wizard = Wizard(admin_client)
    response = wizard.post("customer", {"name": "New Acme", "domains": "ACME.example"})
    assert "“acme.example” belongs to the customer Old Acme already." in (
        response.content.decode()
    )


def test_back_keeps_what_was_typed_on_the_step_being_left(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", {**CUSTOMER, "zip_code": "01234"})

    # Half-typed and invalid contract: Back must keep it anyway.
    response = wizard.post(
        "contract",
        {"name": "Half typed", "type": ContractType.HOURLY},
        wizard_goto_step="customer",
    )
    assert wizard.current_step(response) == "customer"
    form = response.context["form"]
    assert form["name"].value() == "Acme Corporation"
    assert form["zip_code"].value() == "01234"

    response = wizard.post("customer", {**CUSTOMER, "zip_code": "01234"})
    assert wizard.current_step(response) == "contract"
    assert response.context["form"]["name"].value() == "Half typed"
    assert response.context["form"]["type"].value() == ContractType.HOURLY


def test_contract_step_applies_the_type_rules(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    data = block_of_hours()
    del data["block_hours"]
    data["rate"] = Rate.objects.get(name="Managed device").pk

    response = wizard.post("contract", data)

    assert wizard.current_step(response) == "contract"
    errors = response.context["form"].errors
    assert "Required for a “Block of hours” contract." in errors["block_hours"]
    assert "per device" in " ".join(errors["rate"])


def test_new_sla_policy_hours_are_never_inverted_silently(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    wizard.post("contract", {}, **{"contract-skip": "1"})

    response = wizard.post("sla", new_policy(new_day_start="22:00", new_day_end="06:00"))
    assert wizard.current_step(response) == "sla"
    assert "The end is before the start" in response.content.decode()

    response = wizard.post(
        "sla", new_policy(new_day_start="22:00", new_day_end="06:00", new_overnight="on")
    )
    assert wizard.current_step(response) == "contact"
    wizard.post("contact", CONTACT)
    interval = SLAPolicy.objects.get(name="Extended hours").intervals.first()
    assert (interval.start.hour, interval.end.hour, interval.overnight) == (22, 6, True)


def test_new_sla_policy_name_must_be_new(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    wizard.post("contract", {}, **{"contract-skip": "1"})
    response = wizard.post("sla", new_policy(new_name="standard BUSINESS hours"))
    assert "exists already" in " ".join(response.context["form"].errors["new_name"])


def test_contact_email_of_another_contact_is_refused_and_nothing_written(admin_client):
    ContactFactory(email="Jane@Acme.example", customer=CustomerFactory(name="Other"))
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    wizard.post("contract", {}, **{"contract-skip": "1"})
    wizard.post("sla", sla_step())

    response = wizard.post("contact", CONTACT)

    assert wizard.current_step(response) == "contact"
    assert "jane@acme.example is used by" in response.content.decode()
    assert not Customer.objects.filter(name="Acme Corporation").exists()


def test_a_failing_write_leaves_nothing_behind_and_keeps_the_data(admin_client, monkeypatch):
    def clash(*args, **kwargs):
        raise IntegrityError("simulated concurrent clash")

    monkeypatch.setattr("customers.services.add_contact", clash)
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    wizard.post("contract", block_of_hours())
    wizard.post("sla", new_policy())

    response = wizard.post("contact", CONTACT)

    assert response.status_code == 200
    assert "clashes with these details" in response.content.decode()
    assert Customer.objects.count() == 0
    assert Contract.objects.count() == 0
    assert not SLAPolicy.objects.filter(name="Extended hours").exists()
    # The collected steps survive: the admin can go on without retyping.
    assert response.context["form"]["name"].value() == "Acme Corporation"


def test_replayed_final_submit_finds_the_first_customer(admin_client):
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    wizard.post("contract", {}, **{"contract-skip": "1"})
    wizard.post("sla", sla_step())
    first = wizard.post("contact", CONTACT)

    replay = wizard.post("contact", CONTACT)

    customer = Customer.objects.get()
    assert replay.status_code == 302
    assert replay.url == first.url == reverse("customers:detail", args=[customer.pk])
    page = admin_client.get(replay.url)
    assert "This customer was created already." in page.content.decode()


def test_expired_session_restarts_the_wizard_with_a_message(admin_client, admin_user):
    wizard = Wizard(admin_client)
    wizard.post("customer", CUSTOMER)
    admin_client.session.flush()
    admin_client.force_login(admin_user)

    response = wizard.post("contract", block_of_hours())

    assert response.status_code == 302
    assert response.url == WIZARD
    page = admin_client.get(WIZARD)
    assert "Your session expired before the customer was created" in page.content.decode()
    assert Customer.objects.count() == 0


def test_tampered_management_form_is_a_400_not_a_500(admin_client):
    Wizard(admin_client)
    response = admin_client.post(WIZARD, {"customer-name": "No management form"})
    assert response.status_code == 400


def test_technicians_get_403_and_anonymous_users_the_sign_in_page(technician_client, client):
    assert technician_client.get(WIZARD).status_code == 403
    assert technician_client.post(WIZARD, {}).status_code == 403
    response = client.get(WIZARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_technicians_do_not_see_the_new_menu(technician_client, admin_client):
    assert "customers/new/" not in technician_client.get("/customers/").content.decode()
    assert "customers/new/" in admin_client.get("/customers/").content.decode()
