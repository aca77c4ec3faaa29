"""Telling vendors and officials what happened: the outbox, webhooks and email.

An event is a row of the outbox (:class:`notifications.models.OutboxEvent`) written by
:func:`notifications.services.record_event` in the transaction of the change that causes it, so
it exists exactly when the change was committed. After the commit a Celery task fans each event
out to its deliveries (one per subscribed webhook, one per email recipient) and sends them; a
periodic sweep finds whatever a lost message or a killed worker left behind.

The apps call this one; it imports none of them (``.importlinter``): what it needs of a vendor or
an official it reads through the foreign keys and permissions by name.
"""
