"""Documents that back the licensing work: end-user declarations and their templates, and
whatever else a vendor files (translations, letterheads, technical specifications).

Files live in Django's storage (``STORAGES["documents"]``), never behind a public URL; their
metadata and SHA-256 are tracked rows, so they are in the audit chain. Licensing calls this app's
services; this app never writes licensing rows. Later work (answers to requests for information,
appeals) files its documents here too.
"""
