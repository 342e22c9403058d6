"""The console's URLs plus the bare views that give each page its framework floor.

Two floors per page, both fed from plain Python lists (no ORM, no queries of their own):
``bare`` renders the same rows and columns in a minimal table; ``same`` renders the
page's own template with the same number of rows, so its ratio is what the data layer
adds to a page whose markup is a given.
"""

import datetime
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template import engines
from django.urls import include, path

BARE_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><body><table>"
    "{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.domain }}</td>"
    "<td>{{ row.contact }}</td><td>{{ row.email }}</td><td>{{ row.count }}</td>"
    "<td>{{ row.city }}</td><td>{{ row.created }}</td></tr>{% endfor %}"
    "</table></body></html>"
)
CREATED = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


class PlainList(list):
    """A list that answers ``.all()`` like a prefetched related manager."""

    def all(self):
        return self


def plain_customer(i: int) -> SimpleNamespace:
    contact = SimpleNamespace(
        pk=i * 5,
        first_name="First0",
        last_name=f"Last{i}",
        full_name=f"First0 Last{i}",
        email=f"person0@c{i}.example",
        job_title="",
        phone="",
        get_absolute_url=lambda: f"/contacts/{i * 5}/",
    )
    domain = SimpleNamespace(domain=f"c{i}.example")
    return SimpleNamespace(
        pk=i,
        name=f"Customer {i:05d} Holdings",
        city="Leeds",
        country="France",
        zip_code=f"{i:05d}",
        address="",
        state="",
        rank="",
        company_id="",
        phone="",
        fax="",
        domain_list=[domain],
        domains=PlainList([domain]),
        main_contacts=[contact],
        contact_count=5,
        contract_count=0,
        sla=None,
        threshold_profile=None,
        tickets_by_main_contact_only=False,
        allow_subdomains=False,
        created_at=CREATED,
        created_by=None,
        get_absolute_url=lambda: f"/customers/{i}/",
    )


ROWS = [plain_customer(i) for i in range(1, 201)]


def bare(request, rows: int) -> HttpResponse:
    plain = [
        {
            "name": c.name,
            "domain": c.domain_list[0].domain,
            "contact": c.main_contacts[0],
            "email": c.main_contacts[0].email,
            "count": 5,
            "city": c.city,
            "created": "2026-12-04",
        }
        for c in ROWS[:rows]
    ]
    return HttpResponse(BARE_TEMPLATE.render({"rows": plain}, request))


def same_list(request, rows: int) -> HttpResponse:
    page = Paginator(ROWS[:rows], max(rows, 1)).page(1)
    context = {
        "customers": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": False,
        "query_string": "",
        "sort_query": "",
        "sort": "name",
        "sla_policies": [],
        "page_sizes": (25, 50, 100, 200),
        "filters_active": False,
        "contact_url_prefix": "/contacts/",
    }
    return render(request, "customers/list.html", context)


def same_customer(request) -> HttpResponse:
    customer = ROWS[0]
    context = {
        "customer": customer,
        "tab": "overview",
        "tab_title": "Overview",
        "main_contact": customer.main_contacts[0],
        "effective_sla": None,
        "effective_profile": None,
        "default_contract": None,
    }
    return render(request, "customers/tab_overview.html", context)


urlpatterns = [
    path("bench/bare/<int:rows>/", bare),
    path("bench/same/list/<int:rows>/", same_list),
    path("bench/same/customer/", same_customer),
    path("", include("atera.urls")),
]
