"""Vendors, their products, their licence applications and the licences granted on them.

The app's label is ``licenses``, the design card's name; it names the tables, the permissions
(``licenses.manage_licence``) and the migrations, so it stays. Everything inside the app spells
``licence``, as the domain does: ``Licence``, ``LicenceStatus``, ``licence_type``, the
``/licences/`` pages and the API's ``/api/v1/licences/``.
"""
