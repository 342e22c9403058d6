"""The compatibility API's contracts, tickets, ticket comments and alerts: one test per call."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Contract
from monitoring.models import Alert, Device
from tests.api.test_v3 import key_client
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, RateFactory
from tickets import services
from tickets.models import MessageKind, Ticket, TicketMessage, TicketSource


@pytest.fixture
def admin_v3(admin_user):
    return key_client(admin_user)


@pytest.fixture
def tech_v3(technician):
    return key_client(technician)


def open_ticket(**values) -> Ticket:
    contact = ContactFactory()
    values = {"customer": contact.customer, "requester": contact, **values}
    return services.create_ticket(
        subject="Printer down", source=TicketSource.API, body_text="It is jammed.", **values
    )


def make_alert(**values) -> Alert:
    now = timezone.now()
    device = Device.objects.create(
        customer=CustomerFactory(),
        hostname="srv-01",
        key_hash=f"{Device.objects.count():064d}",
        enrolled_at=now,
    )
    values = {
        "metric": "cpu_percent",
        "comparison": "gt",
        "threshold": Decimal("90"),
        "severity": "critical",
        "opened_at": now,
        "updated_at": now,
        **values,
    }
    return Alert.objects.create(device=device, **values)


@pytest.mark.parametrize("path", ["contracts", "tickets", "tickets/1/comments", "alerts"])
def test_new_calls_without_a_key_answer_401(db, path):
    assert APIClient().get(f"/api/v3/{path}").status_code == 401
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="wrong")
    assert client.get(f"/api/v3/{path}").status_code == 401


def test_list_contracts(tech_v3):
    ContractFactory.create_batch(3)
    body = tech_v3.get("/api/v3/contracts", {"itemsInPage": 2}).json()
    assert body["totalItemCount"] == 3
    assert body["totalPages"] == 2
    assert len(body["items"]) == 2
    assert {"ContractID", "CustomerID", "ContractName", "ContractType", "Active"} <= set(
        body["items"][0]
    )


def test_get_a_contract(tech_v3):
    contract = ContractFactory(name="Support", start_date="2026-01-01")
    body = tech_v3.get(f"/api/v3/contracts/{contract.pk}").json()
    assert body["ContractID"] == contract.pk
    assert body["CustomerID"] == contract.customer_id
    assert body["ContractName"] == "Support"
    assert body["ContractType"] == "block_hours"
    assert body["StartDate"] == "2026-01-01"
    assert body["EndDate"] is None
    assert body["Active"] is True
    assert body["BlockHours"] == "10.00"
    assert tech_v3.get("/api/v3/contracts/999999").status_code == 404


def test_create_a_contract(admin_v3, tech_v3):
    customer = CustomerFactory()
    rate, overage = RateFactory(), RateFactory()
    values = {
        "CustomerID": customer.pk,
        "ContractName": "Ten hours",
        "ContractType": "block_hours",
        "StartDate": "2026-01-01",
        "EndDate": "2026-12-31",
        "Active": True,
        "BlockHours": "10",
        "RateID": rate.pk,
        "OverageRateID": overage.pk,
    }
    assert tech_v3.post("/api/v3/contracts", values, format="json").status_code == 403
    response = admin_v3.post("/api/v3/contracts", values, format="json")
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get()
    assert response.json()["CreatedItemId"] == response.json()["ContractID"] == contract.pk
    assert (contract.name, contract.customer, str(contract.end_date)) == (
        "Ten hours",
        customer,
        "2026-12-31",
    )
    # The rules of the type, as v1 checks them, under that console's names.
    response = admin_v3.post(
        "/api/v3/contracts",
        {**values, "EndDate": "2025-01-01", "OverageRateID": None},
        format="json",
    )
    assert response.status_code == 400
    assert "ContractName" not in response.json()
    assert set(response.json()) <= {"EndDate", "OverageRateID", "non_field_errors"}
    assert Contract.objects.count() == 1


def test_update_a_contract(admin_v3):
    contract = ContractFactory(name="Old")
    response = admin_v3.put(
        f"/api/v3/contracts/{contract.pk}", {"ContractName": "New", "Active": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    contract.refresh_from_db()
    assert (contract.name, contract.active, contract.block_hours) == ("New", False, 10)
    response = admin_v3.patch(
        f"/api/v3/contracts/{contract.pk}/", {"CustomerID": CustomerFactory().pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["CustomerID"]


def test_delete_a_contract(admin_v3, tech_v3):
    contract = ContractFactory()
    assert tech_v3.delete(f"/api/v3/contracts/{contract.pk}").status_code == 403
    assert admin_v3.delete(f"/api/v3/contracts/{contract.pk}").status_code == 204
    assert not Contract.objects.exists()


def test_list_tickets(tech_v3):
    for _n in range(3):
        open_ticket()
    body = tech_v3.get("/api/v3/tickets", {"page": 2, "itemsInPage": 2}).json()
    assert body["totalItemCount"] == 3
    assert len(body["items"]) == 1
    assert body["nextLink"] == ""


def test_get_a_ticket(tech_v3):
    ticket = open_ticket(priority="high")
    body = tech_v3.get(f"/api/v3/tickets/{ticket.pk}").json()
    assert body["TicketID"] == ticket.pk
    assert body["TicketTitle"] == "Printer down"
    assert body["TicketStatus"] == "New"
    assert body["TicketPriority"] == "High"
    assert body["CustomerID"] == ticket.customer_id
    assert body["EndUserEmail"] == ticket.requester.email
    assert tech_v3.get("/api/v3/tickets/999999").status_code == 404


def test_create_a_ticket(tech_v3):
    contact = ContactFactory()
    response = tech_v3.post(
        "/api/v3/tickets",
        {
            "CustomerID": contact.customer_id,
            "EndUserEmail": contact.email,
            "TicketTitle": "VPN down",
            "TicketPriority": "Critical",
            "Description": "Since this morning.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert response.json()["CreatedItemId"] == ticket.pk
    assert (ticket.subject, ticket.priority, ticket.requester) == ("VPN down", "critical", contact)
    assert ticket.source == TicketSource.API
    assert ticket.messages.get().body_text == "Since this morning."
    # v1's checks, reported under that console's names.
    response = tech_v3.post(
        "/api/v3/tickets",
        {
            "CustomerID": CustomerFactory().pk,
            "EndUserEmail": contact.email,
            "TicketTitle": "X",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["EndUserEmail"]
    response = tech_v3.post("/api/v3/tickets", {"CustomerID": contact.customer_id}, format="json")
    assert list(response.json()) == ["TicketTitle"]
    assert tech_v3.delete(f"/api/v3/tickets/{ticket.pk}").status_code == 405


def test_list_ticket_comments(tech_v3, technician):
    ticket = open_ticket()
    services.add_note(ticket, technician, "Checked the toner.")
    body = tech_v3.get(f"/api/v3/tickets/{ticket.pk}/comments").json()
    assert body["totalItemCount"] == 2
    first, note = body["items"]
    assert first["CommentText"] == "It is jammed."
    assert first["IsInternal"] is False
    assert first["Email"] == ticket.requester.email
    assert first["EndUserID"] == ticket.requester_id
    assert note["CommentText"] == "Checked the toner."
    assert note["IsInternal"] is True
    assert note["Email"] == technician.email
    assert note["Date"]
    assert tech_v3.get("/api/v3/tickets/999999/comments").status_code == 404


def test_create_a_ticket_comment(tech_v3):
    ticket = open_ticket()
    response = tech_v3.post(
        f"/api/v3/tickets/{ticket.pk}/comments",
        {"CommentText": "On my way.", "IsInternal": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["IsInternal"] is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ticket.requester.email]
    response = tech_v3.post(
        f"/api/v3/tickets/{ticket.pk}/comments/",
        {"CommentText": "Internal only.", "IsInternal": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1
    note = TicketMessage.objects.get(pk=response.json()["CreatedItemId"])
    assert note.kind == MessageKind.INTERNAL
    response = tech_v3.post(f"/api/v3/tickets/{ticket.pk}/comments", {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["CommentText"]
    response = tech_v3.post(
        f"/api/v3/tickets/{ticket.pk}/comments",
        {"CommentText": "x", "IsInternal": "maybe"},
        format="json",
    )
    assert list(response.json()) == ["IsInternal"]


def test_list_alerts(tech_v3):
    alert = make_alert()
    make_alert(state="resolved", resolved_at=timezone.now(), severity="warning")
    body = tech_v3.get("/api/v3/alerts").json()
    assert body["totalItemCount"] == 2
    by_id = {item["AlertID"]: item for item in body["items"]}
    item = by_id[alert.pk]
    assert item["DeviceName"] == "srv-01"
    assert item["CustomerID"] == alert.device.customer_id
    assert item["Severity"] == "Critical"
    assert item["Title"]
    assert item["Created"] == alert.opened_at.isoformat()
    assert item["Archived"] is False
    assert [i["Archived"] for i in body["items"] if i["AlertID"] != alert.pk] == [True]
    assert tech_v3.post("/api/v3/alerts", {}, format="json").status_code == 405
