"""A list costs the same number of queries whatever the page size: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    LicenceApplicationFactory,
    LicenceFactory,
    ProductFactory,
    application_body,
)

pytestmark = pytest.mark.django_db

# Counted where every statement is seen (SQLite; on PostgreSQL the history rows go in through
# the driver and the Merkle nodes by COPY, which the count misses): the key's record (insert,
# then its answer), the product with its vendor, the destination, the service's savepoint, 3 for
# rule 7's restricted-party screening (the list in use, the versions of the concern list and the
# denial register that key their cached indexes; the indexes themselves are cached per process,
# and the earlier decisions on a name are read only when it hits an entry), the vendor and the
# destination under shared locks, the revision in force, then the number, the application, its
# application.submitted event, its end-user party, and the two history records chained in one
# step (the head read and moved, the log's edge read, its nodes written, one insert per table),
# plus the outer transaction's own savepoint here.
SUBMISSION_STATEMENTS = 24

LISTS = [
    "/api/v1/countries/",
    "/api/v1/countries/?eligible=true",
    "/api/v1/products/",
    "/api/v1/applications/",
    "/api/v1/applications/?status=approved",
    "/api/v1/licences/",
]


@pytest.fixture
def many_records(vendor_a):
    products = ProductFactory.create_batch(12, vendor=vendor_a)
    for product in products:
        LicenceApplicationFactory(product=product)
        LicenceFactory(application__product=product)


def queries(client, url, page_size):
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{separator}page_size={page_size}")
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("url", LISTS)
def test_the_query_count_does_not_grow_with_the_page_size(api_a, many_records, url):
    queries(api_a, url, 1)  # the first call caches the caller's credentials
    small, small_rows = queries(api_a, url, 2)
    large, large_rows = queries(api_a, url, 12)
    assert (small_rows, large_rows) == (2, 12)
    assert large == small


def test_a_submission_runs_a_bounded_number_of_statements(
    api_a, product_a, django_assert_max_num_queries
):
    """The key's record, the product (with its vendor) and destination, the screening's reads
    under lock, the number, the application, its event in the outbox, its end-user party, both
    history records chained in one step (one lock on the head, one read of the log's edge, one
    write of its nodes), the answer stored under the key, and the transaction's own statements
    (the token and permissions come from the cache)."""
    first = api_a.post("/api/v1/applications/", application_body(product_a), format="json")
    assert first.status_code == 201, first.content  # the year's series of numbers exists now
    with django_assert_max_num_queries(SUBMISSION_STATEMENTS):
        response = api_a.post(
            "/api/v1/applications/",
            application_body(product_a),
            format="json",
            HTTP_IDEMPOTENCY_KEY="bounded-1",
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"


@pytest.mark.usefixtures("documents_folder")
@pytest.mark.parametrize("what", ["parties", "documents"])
def test_parties_and_documents_lists_do_not_grow_with_their_rows(
    api_a, vendor_a, product_a, user_a, what
):
    from licenses import services
    from tests.factories import create_draft, file_declaration

    draft = create_draft(vendor=vendor_a, product=product_a, by=user_a)
    url = f"/api/v1/applications/{draft.reference}/{what}/"
    for n in range(12):
        if what == "parties":
            services.add_party(
                application=draft,
                by=user_a,
                role="consignee",
                name=f"Consignee {n}",
                country=draft.destination,
            )
        else:
            file_declaration(application=draft, by=user_a)
    queries(api_a, url, 1)
    small, small_rows = queries(api_a, url, 2)
    large, large_rows = queries(api_a, url, 12)
    assert (small_rows, large_rows) == (2, 12)
    assert large == small
