import json

import pytest

from screening import samples
from tests.api.conftest import (  # noqa: F401 (the API's fixtures, for what a vendor sees)
    api_a,
    api_client_for,
    product_a,
    user_a,
    vendor_a,
)


@pytest.fixture
def list_file(tmp_path):
    """``list_file(count=300, **changes)``: a CSL-format file of the sample's first ``count``
    entries (the whole sample by default), the top-level object changed by ``changes``."""
    made = []

    def write(count: int = 300, *, seed: int = 13, raw: str | None = None, **changes) -> str:
        path = tmp_path / f"list-{len(made)}.json"
        if raw is None:
            document = samples.build(count, seed=seed)
            document.update(changes)
            raw = json.dumps(document, ensure_ascii=False)
        path.write_text(raw, encoding="utf-8")
        made.append(path)
        return str(path)

    return write
