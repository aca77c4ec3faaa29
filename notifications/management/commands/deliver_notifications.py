"""``manage.py deliver_notifications``: one pass of the outbox's sweep, in this process.

Fans out the events no worker has taken and sends every delivery due (retries included). For a
registry without a Celery broker, run it from cron; with one, Celery beat runs the sweep.
"""

from django.core.management.base import BaseCommand

from notifications import delivery


class Command(BaseCommand):
    help = "Fans out undelivered events and sends every delivery due, in this process."

    def handle(self, *args, **options):
        dispatched = 0
        while ids := delivery.dispatch_batch():
            dispatched += len(ids)
        statuses: dict[str, int] = {}
        for delivery_id in delivery.due_deliveries():
            status = delivery.deliver(delivery_id) or "skipped"
            statuses[status] = statuses.get(status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "none due"
        self.stdout.write(f"{dispatched} delivery(ies) fanned out; sent: {summary}.")
