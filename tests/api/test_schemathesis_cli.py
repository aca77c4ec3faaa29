"""The Schemathesis command line, every phase and every check, against a live server.

This is the run a reviewer makes by hand (``schemathesis run URL/api/schema/ --checks all
--phases examples,coverage,fuzzing,stateful``), at a size CI can afford and with a fixed seed,
against the test's own server on a loopback port, as a vendor's user with a token from
``manage.py issue_token``. It must end with no failure: no server error, and every answer (status
code, headers, body) as the schema documents it, including the stateful links between
operations. The project's ``schemathesis.toml`` applies, as it does to a run from the root.

``SCHEMATHESIS_MAX_EXAMPLES`` makes the run larger (the CI size is small).
"""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import register_product, submit_application

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
SEED = 20261201
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"


@pytest.fixture
def vendor_key(vendor_a, user_a, settings):
    """A demo vendor's token on seeded data, with no throttling to cut the run short."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "anonymous": None},
    }
    product = register_product(vendor=vendor_a, by=user_a)
    submit_application(vendor=vendor_a, product=product, by=user_a)
    submit_application(vendor=vendor_a, product=product, by=user_a, destination="MX")
    output = io.StringIO()
    call_command("issue_token", user_a.username, stdout=output)
    return output.getvalue().strip().splitlines()[-1]


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="the schemathesis command is not installed")
def test_the_schemathesis_cli_finds_no_failure_in_any_phase(live_server, vendor_key, tmp_path):
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {vendor_key}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False
    )
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    failures = run.stdout.find("FAILURES ===")
    summary = run.stdout[run.stdout.find("SUMMARY ===") :]
    print(summary)
    assert run.returncode == 0, (run.stdout[failures:] if failures >= 0 else run.stdout)[:30000]
    assert re.search(r"Test cases:\s+\d+ generated", summary)
