"""What the trust features cost, measured in process on the configured database.

    python -m bench.trust_costs decision [--rounds 200]
        The time of an approval with its decision receipt and without (the receipt call
        replaced by nothing), alternating, medians; and the time to sign one checkpoint.
    python -m bench.trust_costs verify --records 1000000
        Adds generated vendors and products (two history records each) until the trail holds
        about that many records, then times each part of ``verify_audit`` and the offline
        verifier of an export of it, in records per second.

Run it against a database of its own (``DATABASE_URL``), migrated and seeded; it writes
benchmark data there. Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()


def decision(rounds: int) -> None:
    from django.utils import timezone

    from countries.models import Country
    from licenses import receipts, services
    from registry import roles
    from registry.audit import checkpoints, tree
    from tests.factories import register_product, register_vendor, user_with_role

    stamp = timezone.now().strftime("%H%M%S")
    official = user_with_role(role=roles.OFFICIALS, username=f"bench-official-{stamp}")
    vendor = register_vendor(
        by=official, name=f"Bench Vendor {stamp}", registration_number=f"BENCH-R-{stamp}"
    )
    vendor_user = user_with_role(
        role=roles.VENDORS, username=f"bench-vendor-{stamp}", vendor=vendor
    )
    product = register_product(vendor=vendor, by=vendor_user)
    france = Country.objects.get(code="FR")
    real = receipts.issue_decision_receipt
    times = {"with receipt": [], "without": []}
    for n in range(rounds):
        application = services.submit_application(
            vendor=vendor,
            by=vendor_user,
            product=product,
            licence_type="marketing",
            destination=france,
            end_user_name="Bench police",
            end_user_kind="law_enforcement",
            end_use="Bench",
            value="1000.00",
            currency="EUR",
        )
        services.start_review(application=application, by=official)
        mode = "with receipt" if n % 2 else "without"
        receipts.issue_decision_receipt = real if n % 2 else (lambda **kwargs: None)
        started = time.perf_counter()
        services.approve_application(application=application, by=official, reason="Bench")
        times[mode].append((time.perf_counter() - started) * 1000)
    receipts.issue_decision_receipt = real
    for mode, values in times.items():
        print(f"approval {mode}: median {statistics.median(values):.2f} ms over {len(values)}")
    started = time.perf_counter()
    checkpoints.sign(force=True)
    print(
        f"one checkpoint at {tree.size():,} records: "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )


def verify(records: int) -> None:
    from django.core.management import call_command

    from bench import data
    from registry.audit import chain, checkpoints, reconcile
    from registry.audit.history import system_user
    from registry.audit.verify_export import verify as verify_export
    from registry.audit.verify_tree import verify_tree

    by = system_user()
    head = chain.AuditChainHead.objects.first()
    have = head.last_seq if head else 0
    if have < records:
        pairs = (records - have) // 2
        started = time.perf_counter()
        for start in range(0, pairs, 50_000):
            data.numbers.next["vendor"] = data.numbers.next["product"] = have // 2 + start + 1
            data.vendors_with_products(min(50_000, pairs - start), by=by)
        print(f"generated {pairs * 2:,} records in {time.perf_counter() - started:.0f} s")
    checkpoints.sign()
    for name, run in (
        ("chain (HMAC)", chain.verify_chain),
        ("Merkle log", verify_tree),
        ("reconciliation", reconcile.reconcile),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        count = getattr(result, "records", None) or chain.AuditChainHead.objects.first().last_seq
        print(
            f"verify_audit, {name}: {count:,} records in {wall:.1f} s "
            f"({count / wall:,.0f} records/s; {cpu:.1f} s of CPU in this process)"
        )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export"
        started = time.perf_counter()
        call_command("export_audit", str(target), stdout=io.StringIO())
        print(f"export_audit: {time.perf_counter() - started:.1f} s")
        public = Path(f"{os.environ['AUDIT_SIGNING_KEY_FILE']}.pub")
        started, cpu = time.perf_counter(), time.process_time()
        result = verify_export(target, [public], [])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"verify_export: {result.records:,} records in {wall:.1f} s "
            f"({result.records / wall:,.0f} records/s wall, {result.records / cpu:,.0f} per "
            f"CPU-second); ok={result.ok}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trust_costs")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("decision").add_argument("--rounds", type=int, default=200)
    sub.add_parser("verify").add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    _setup()
    if args.what == "decision":
        decision(args.rounds)
    else:
        verify(args.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
