"""The officials' case-work pages: the queue at scale, its CSV, the case-work panel."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import data as bench_data
from countries.models import Country
from licenses import casework, services
from licenses.forms import destinations_by_name, reading_key
from licenses.models import ApplicationStatus, CaseNote, InformationRequest
from tests.factories import register_product, register_vendor, submit_application

pytestmark = pytest.mark.django_db


def listed(client, query=""):
    response = client.get(f"/applications/?{query}")
    assert response.status_code == 200
    return [application.reference for application, _ in response.context["rows"]]


@pytest.fixture
def three(official, vendor, product):
    other = register_vendor(by=official, name="Globex Ltd", registration_number="51-0000002")
    periscope = register_product(vendor=other, by=official, name="Periscope")
    first = submit_application(vendor=vendor, product=product, by=official, destination="DE")
    second = submit_application(
        vendor=other, product=periscope, by=official, destination="AT", end_user_name="Gendarmerie"
    )
    third = submit_application(vendor=vendor, product=product, by=official, destination="FR")
    return first, second, third


def test_the_queue_searches_by_reference_vendor_end_user_and_product(client, official, three):
    first, second, third = three
    client.force_login(official)
    assert listed(client, f"q={first.reference}") == [first.reference]
    assert listed(client, "q=globex") == [second.reference]
    assert listed(client, "q=gendarmerie") == [second.reference]
    assert listed(client, "q=periscope") == [second.reference]
    assert listed(client, "q=nothing-like-it") == []


def test_a_search_finds_each_case_by_whichever_of_its_names_matches(client, official, three):
    # One word in a vendor's name, an end user's and a product's: every case that holds it in
    # any one place is listed, once, in the order asked for, and no other.
    first, second, third = three
    globe = register_product(vendor=first.vendor, by=official, name="Globe sensor")
    by_product = submit_application(vendor=first.vendor, product=globe, by=official)
    by_end_user = submit_application(
        vendor=first.vendor, product=first.product, by=official, end_user_name="Global police"
    )
    client.force_login(official)
    expected = sorted([second.reference, by_product.reference, by_end_user.reference])
    assert listed(client, "q=GLOB&sort=reference") == expected
    assert sorted(listed(client, "q=glob")) == expected
    # Globex first, then Acme's two cases, the newer reference first.
    assert listed(client, "q=glob&sort=-vendor") == [
        second.reference,
        by_end_user.reference,
        by_product.reference,
    ]


def test_the_destination_is_picked_by_name_or_code(client, official, three):
    _, second, _ = three
    client.force_login(official)
    assert listed(client, "destination=austria") == [second.reference]
    assert listed(client, "destination=at") == [second.reference]


def test_the_picker_reads_a_name_without_its_accents(official):
    from licenses.forms import ApplicationFilterForm

    form = ApplicationFilterForm({"destination": "cote d'ivoire"}, user=official)
    assert form.filters()["destination"] == "CI"


def test_destinations_are_sorted_as_people_read_them():
    names = [name for _, name in destinations_by_name()]
    ivory = names.index("Côte d'Ivoire")
    assert names[ivory - 1] == "Costa Rica"
    assert reading_key("Åland Islands") < reading_key("Albania")


def test_sorting_by_any_column_both_ways(client, official, three):
    client.force_login(official)
    by_vendor = listed(client, "sort=vendor")
    assert listed(client, "sort=-vendor")[0] == by_vendor[-1]
    by_destination = listed(client, "sort=destination")
    assert (
        by_destination[0] == three[1].reference
    )  # Côte d'Ivoire before Costa Rica? No: C-o-s < C-o-t
    assert by_destination == [three[2].reference, three[1].reference, three[0].reference] or (
        by_destination[-1] == three[0].reference
    )


def test_decided_cases_are_listed_newest_first(client, official, three):
    first, second, _ = three
    for application in (first, second):
        services.start_review(application=application, by=official)
        services.refuse_application(
            application=application, by=official, criteria=["other"], reason="No"
        )
    client.force_login(official)
    assert listed(client, "status=refused")[:2] == [second.reference, first.reference]
    assert len(listed(client, "status=all")) == 3


def test_my_cases_and_the_assignee_filter(client, official, senior, three):
    first, second, _ = three
    casework.take_case(application=first, by=official)
    casework.take_case(application=second, by=senior)
    client.force_login(official)
    assert listed(client, "assignee=me") == [first.reference]
    assert listed(client, "assignee=senior") == [second.reference]
    assert len(listed(client, "assignee=none")) == 1


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense",
        "destination=Atlantis",
        "assignee=nobody-of-that-name",
        "submitted_from=yesterday",
        "submitted_from=2026-05-01&submitted_to=2026-01-01",
        "sort=price",
        "per_page=1000000",
        "page=-3",
        "q=" + "x" * 300,
    ],
)
def test_nonsense_filters_are_errors_on_the_page_never_a_500(client, official, three, query):
    client.force_login(official)
    response = client.get(f"/applications/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    if not query.startswith("page="):
        assert "There is a problem" in html
        assert response.context["page"].paginator.count == 3


def test_the_csv_holds_every_filtered_row_not_one_page(client, official, vendor, product):
    for _ in range(30):
        submit_application(vendor=vendor, product=product, by=official, destination="DE")
    submit_application(vendor=vendor, product=product, by=official, destination="FR")
    submit_application(
        vendor=vendor, product=product, by=official, destination="DE", end_user_name="=HYPERLINK()"
    )
    client.force_login(official)
    response = client.get("/applications/export.csv?destination=DE&per_page=25")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "reference"
    assert len(rows) == 32
    assert {row[7] for row in rows[1:]} == {"DE"}
    assert "'=HYPERLINK()" in {row[8] for row in rows}  # never run as a formula


def test_numbered_pages_with_first_and_last(client, official, vendor, product):
    products = [product]
    bench_data.applications(
        120, products=products, destinations=[Country.objects.get(code="FR")], by=official
    )
    client.force_login(official)
    html = client.get("/applications/?page=3").content.decode()
    assert "First" in html and "Last" in html and ">5</a>" in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3' in html


def _queue_queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/applications/?{query}")
    assert response.status_code == 200
    return len(queries)


def test_the_queue_query_count_is_the_same_at_30_and_3000_rows(client, official, senior, system):
    products = bench_data.vendors_with_products(10, by=system)
    destinations = list(Country.objects.filter(code__in=["FR", "DE", "CI", "CR"]))
    target = datetime.date.today() - datetime.timedelta(days=1)
    bench_data.applications(
        30,
        products=products,
        destinations=destinations,
        by=system,
        assigned_to=official,
        target_date=target,
    )
    client.force_login(senior)
    queries = [
        "",
        "q=Bench&sort=-vendor&per_page=100",
        "status=all&sort=target&assignee=official&destination=FR",
    ]
    small = [_queue_queries(client, q) for q in queries]
    bench_data.applications(
        2970,
        products=products,
        destinations=destinations,
        by=system,
        assigned_to=official,
        target_date=target,
    )
    large = [_queue_queries(client, q) for q in queries]
    assert large == small, (small, large)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    dashboard = len(captured)
    assert dashboard < 30


def test_the_dashboard_counts_overdue_cases_per_official(client, official, vendor, product):
    late = submit_application(vendor=vendor, product=product, by=official)
    casework.take_case(application=late, by=official)
    bench_data.applications(
        2,
        products=[product],
        destinations=[Country.objects.get(code="FR")],
        by=official,
        target_date=datetime.date(2020, 1, 1),
    )
    client.force_login(official)
    html = client.get("/").content.decode()
    assert "Overdue cases by official" in html
    assert response_rows(html) == {"Not assigned": "2"}


def response_rows(html):
    import re

    section = html[html.index("overdue-title") :]
    section = section[: section.index("</section>")]
    return {
        re.sub(r"<[^>]+>", "", name).strip(): n
        for name, n in re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', section)
    }


# --- The case page ------------------------------------------------------------------------------


@pytest.fixture
def case(vendor, product, vendor_user):
    return submit_application(vendor=vendor, product=product, by=vendor_user)


def test_an_official_takes_asks_and_notes_from_the_case_page(client, official, case):
    client.force_login(official)
    url = f"/applications/{case.reference}/"
    assert "Take this case" in client.get(url).content.decode()
    client.post(f"{url}take/")
    client.post(f"{url}review/")
    case.refresh_from_db()
    assert case.assigned_to == official and case.status == ApplicationStatus.UNDER_REVIEW

    response = client.post(f"{url}requests/", {"question": "Which unit?", "due_in": "5"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == ApplicationStatus.AWAITING_VENDOR
    client.post(f"{url}notes/", {"text": "Internal thought."})
    client.post(f"{url}notes/", {"text": "We asked you.", "shared": "on"})
    html = client.get(url).content.decode()
    assert html.index("Internal thought.") < html.index("We asked you.")
    assert "Which unit?" in html and "Clock stopped" in html


@pytest.mark.parametrize(
    "body, message",
    [
        ({"question": "", "due_in": "5"}, "Enter the question"),
        ({"question": "Who?", "due_in": "0"}, "due date must be after today"),
        ({"question": "Who?", "due_in": "-4"}, "due date must be after today"),
        ({"question": "Who?", "due_in": "soon"}, "whole number"),
    ],
)
def test_a_bad_request_for_information_changes_nothing(client, official, case, body, message):
    casework.take_case(application=case, by=official)
    services.start_review(application=case, by=official)
    client.force_login(official)
    response = client.post(f"/applications/{case.reference}/requests/", body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_request_on_a_decided_case_is_refused_on_the_page(client, official, case):
    services.start_review(application=case, by=official)
    services.refuse_application(application=case, by=official, criteria=["other"], reason="No")
    client.force_login(official)
    response = client.post(
        f"/applications/{case.reference}/requests/", {"question": "Who?", "due_in": "5"}
    )
    assert response.status_code == 200
    assert "refused" in response.content.decode()
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("who", ["vendor_user", "auditor"])
def test_assigning_to_a_vendor_user_or_an_auditor_is_refused(client, senior, case, who, request):
    user = request.getfixturevalue(who)
    client.force_login(senior)
    response = client.post(
        f"/applications/{case.reference}/assign/", {"assignee": user.username, "reason": "x"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to is None


def test_an_empty_note_is_refused(client, official, case):
    client.force_login(official)
    response = client.post(f"/applications/{case.reference}/notes/", {"text": "  "})
    assert response.status_code == 200
    assert "Enter the note" in response.content.decode()
    assert not CaseNote.objects.exists()


def _page_html(client, query):
    response = client.get(f"/applications/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_long_queue_is_counted_only_so_far_and_still_pages(
    client, official, vendor, product, settings
):
    # The count stops at LIST_COUNT_LIMIT (10,000 in production): a small limit stands for it.
    settings.LIST_COUNT_LIMIT = 50
    created = bench_data.applications(
        120, products=[product], destinations=[Country.objects.get(code="FR")], by=official
    )
    by_reference = sorted((a.reference for a in created), reverse=True)
    client.force_login(official)

    first = _page_html(client, "sort=-reference")
    assert "Licence applications: more than 50 found" in first
    assert "Showing 1–25 of more than 50" in first
    assert 'rel="next"' in first and ">Last<" not in first
    assert listed(client, "sort=-reference") == by_reference[:25]

    second = _page_html(client, "sort=-reference&page=2")
    assert "Showing 26–50 of more than 50" in second
    assert listed(client, "sort=-reference&page=2") == by_reference[25:50]

    # Past the limit the next page is still linked, and counted to where it ends.
    fourth = _page_html(client, "sort=-reference&page=4")
    assert "Showing 76–100 of more than 100" in fourth
    assert listed(client, "sort=-reference&page=4") == by_reference[75:100]
    assert 'rel="next"' in fourth

    # The last page is reached, counted exactly, and says so.
    fifth = _page_html(client, "sort=-reference&page=5")
    assert "Showing 101–120 of 120" in fifth
    assert listed(client, "sort=-reference&page=5") == by_reference[100:]
    assert 'rel="next"' not in fifth


def test_a_queue_under_the_count_limit_shows_its_exact_count_and_last_page(
    client, official, vendor, product, settings
):
    settings.LIST_COUNT_LIMIT = 50
    bench_data.applications(
        40, products=[product], destinations=[Country.objects.get(code="FR")], by=official
    )
    client.force_login(official)
    html = _page_html(client, "")
    assert "Licence applications: 40 found" in html
    assert "Showing 1–25 of 40" in html
    assert ">Last<" in html and "more than" not in html
