"""The New → Customer wizard walked in real headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import Contact
from contracts.choices import ContractType
from contracts.models import Contract, Rate
from customers.models import Customer
from sla.models import SLAPolicy

from .conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def open_wizard(page, live_server) -> None:
    page.get_by_text("New", exact=True).click()
    page.get_by_role("link", name="Customer", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/customers/new/")


def fill_customer_step(page, name: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Domains", exact=True).fill("northwind.example\nNorthwind-Traders.example")
    page.get_by_text("Show more").click()
    page.get_by_label("Zip code", exact=True).fill("01234")
    page.get_by_label("Phone", exact=True).fill("0044 20 7946 0000")
    page.get_by_label("City", exact=True).fill("Leeds")


def fill_block_of_hours(page) -> None:
    page.get_by_label("Name", exact=True).fill("Support block 2027")
    page.get_by_label("Type", exact=True).select_option(label="Block of hours")
    page.get_by_label("Hours in the block", exact=True).fill("20")
    page.get_by_label("Rate", exact=True).select_option(
        value=str(Rate.objects.get(name="Standard labour").pk)
    )
    page.get_by_label("Overage rate", exact=True).select_option(
        value=str(Rate.objects.get(name="After-hours labour").pk)
    )
    page.get_by_label("Roll over the remaining balance", exact=True).check()


def fill_new_sla(page) -> None:
    page.get_by_label("Add a new SLA policy", exact=True).check()
    page.get_by_label("Policy name", exact=True).fill("Northwind extended hours")
    page.get_by_label("Time zone", exact=True).select_option("Europe/London")
    page.get_by_label("Working hours start", exact=True).fill("08:00")
    page.get_by_label("Working hours end", exact=True).fill("18:00")


def fill_contact(page) -> None:
    page.get_by_label("First name", exact=True).fill("Jane")
    page.get_by_label("Last name", exact=True).fill("Doe")
    page.get_by_label("Email", exact=True).fill("jane.doe@northwind.example")


def test_admin_creates_a_customer_through_all_four_steps(page, live_server, staff_user):
    admin = staff_user(Role.ADMIN)
    sign_in(page, live_server, admin.email)
    open_wizard(page, live_server)

    # Step 1: a clash-free name, then the optional fields behind "Show more".
    expect(page.get_by_role("heading", name="Step 1 of 4: Customer")).to_be_visible()
    screenshot(page, "wizard-1-customer")
    fill_customer_step(page, "Northwind Traders")
    page.get_by_role("button", name="Next").click()

    # Step 2: a Block-of-hours contract; Back and Next keep what was typed.
    expect(page.get_by_role("heading", name="Step 2 of 4: Contract")).to_be_visible()
    expect(page.get_by_label("Quantity", exact=True)).to_be_hidden()
    fill_block_of_hours(page)
    expect(page.get_by_label("Quantity", exact=True)).to_be_hidden()
    expect(page.get_by_label("Devices counted", exact=True)).to_be_hidden()
    screenshot(page, "wizard-2-contract")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Northwind Traders")
    expect(page.get_by_label("Zip code", exact=True)).to_have_value("01234")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Hours in the block", exact=True)).to_have_value("20")
    # Enter in a field moves forward, as Next does (never Back).
    page.get_by_label("Hours in the block", exact=True).press("Enter")

    # Step 3: a new SLA policy added in place; Back from here keeps it too.
    expect(page.get_by_role("heading", name="Step 3 of 4: SLA and alerts")).to_be_visible()
    fill_new_sla(page)
    screenshot(page, "wizard-3-sla")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Support block 2027")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Policy name", exact=True)).to_have_value("Northwind extended hours")
    page.get_by_role("button", name="Next").click()

    # Step 4: the contact, then "Create customer".
    expect(page.get_by_role("heading", name="Step 4 of 4: Contact")).to_be_visible()
    fill_contact(page)
    screenshot(page, "wizard-4-contact")
    assert Customer.objects.count() == 0, "nothing may be written before the last step"
    page.get_by_role("button", name="Create customer").click()

    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()
    expect(page.get_by_text("Customer “Northwind Traders” created.")).to_be_visible()
    screenshot(page, "customer-page")

    customer = Customer.objects.get()
    assert customer.zip_code == "01234"
    assert customer.created_by == admin
    assert sorted(customer.domains.values_list("domain", flat=True)) == [
        "northwind-traders.example",
        "northwind.example",
    ]
    contract = Contract.objects.get(customer=customer)
    assert contract.type == ContractType.BLOCK_HOURS
    assert contract.block_hours == 20
    assert contract.rollover is True
    assert contract.is_default is True
    policy = SLAPolicy.objects.get(name="Northwind extended hours")
    assert customer.sla == policy
    assert policy.time_zone == "Europe/London"
    assert policy.intervals.count() == 5
    assert policy.targets.count() == 4
    contact = Contact.objects.get(customer=customer)
    assert (contact.full_name, contact.email, contact.is_main) == (
        "Jane Doe",
        "jane.doe@northwind.example",
        True,
    )

    page.get_by_role("link", name="Customers", exact=True).first.click()
    row = page.get_by_role("row", name=re.compile("Northwind Traders"))
    expect(row).to_be_visible()
    expect(row).to_contain_text("northwind.example")
    expect(row).to_contain_text("Jane Doe")
    screenshot(page, "customers-list")


def test_contract_type_shows_only_its_fields(page, live_server, staff_user):
    admin = staff_user(Role.ADMIN)
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_label("Name", exact=True).fill("Typed Co")
    page.get_by_role("button", name="Next").click()

    page.get_by_label("Type", exact=True).select_option(label="Hourly")
    expect(page.get_by_text("Additional rates")).to_be_visible()
    expect(page.get_by_label("Hours in the block", exact=True)).to_be_hidden()
    screenshot(page, "wizard-2-hourly")
    page.get_by_label("Type", exact=True).select_option(label="Remote monitoring")
    expect(page.get_by_label("Devices counted", exact=True)).to_be_visible()
    expect(page.get_by_text("Additional rates")).to_be_hidden()


def test_double_submitted_last_step_creates_one_customer(page, live_server, staff_user):
    admin = staff_user(Role.ADMIN)
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_label("Name", exact=True).fill("Contoso")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Skip this step").click()
    page.get_by_role("button", name="Next").click()
    fill_contact(page)

    # Two identical POSTs of the final step at the same moment, past the page's own
    # double-click guard, as a flaky network or a replaying proxy would send them.
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector("form.wizard-card");
            const body = new URLSearchParams(new FormData(form));
            const send = () => fetch(form.action || location.href,
                {method: "POST", body: body, redirect: "manual"});
            const answers = await Promise.all([send(), send()]);
            return answers.map((a) => a.type === "opaqueredirect" ? 302 : a.status);
        }"""
    )
    assert statuses == [302, 302]
    assert Customer.objects.filter(name="Contoso").count() == 1
    assert Contact.objects.filter(email="jane.doe@northwind.example").count() == 1

    # A later replay of the same submit lands on the customer, not on a second one.
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", name="Contoso")).to_be_visible()
    expect(page.get_by_text("This customer was created already.").first).to_be_visible()
    assert Customer.objects.count() == 1

    page.goto(f"{live_server.url}/customers/?q=contoso")
    expect(page.get_by_role("row", name=re.compile("Contoso"))).to_have_count(1)


def test_technician_gets_403_and_no_new_menu(page, live_server, staff_user):
    technician = staff_user(Role.TECHNICIAN, email="tech@msp.example")
    sign_in(page, live_server, technician.email)
    expect(page.get_by_text("New", exact=True)).to_have_count(0)

    response = page.goto(f"{live_server.url}/customers/new/")
    assert response.status == 403
    assert Customer.objects.count() == 0


def test_first_step_in_french(make_page, live_server, staff_user):
    admin = staff_user(Role.ADMIN)
    page = make_page(locale="fr-FR")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail", exact=True).fill(admin.email)
    page.get_by_label("Mot de passe", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_text("Nouveau", exact=True).click()
    page.get_by_role("link", name="Client", exact=True).click()
    expect(page.get_by_role("heading", name="Étape 1 sur 4 : Client")).to_be_visible()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    page.get_by_label("Nom", exact=True).fill("Société Générale de Test")
    page.get_by_label("Domaines", exact=True).fill("gmail.com")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text(re.compile("domaine de messagerie gratuite"))).to_be_visible()
    screenshot(page, "wizard-1-french")
    assert Customer.objects.count() == 0
