"""The four roles, as Django groups, and the permissions each holds.

Views and API endpoints check these permissions (never group names), so a superuser or a user given
a permission directly is treated the same way as a member of the group.
"""

OFFICIALS = "officials"
SENIOR_OFFICIALS = "senior_officials"
AUDITORS = "auditors"
VENDORS = "vendors"
# On top of ``vendors``: the vendor's users who manage every API token of their vendor.
VENDOR_ADMINS = "vendor_admins"

_OFFICIAL = [
    "countries.view_country",
    "countries.view_whitelistrevision",
    "countries.view_whitelistchange",
    "countries.propose_whitelistrevision",
    "licenses.view_vendor",
    "licenses.add_vendor",
    "licenses.change_vendor",
    "licenses.view_product",
    "licenses.view_licenceapplication",
    "licenses.decide_licenceapplication",
    "licenses.view_licence",
    "licenses.manage_licence",
    "licenses.view_party",
    "documents.view_document",
    "documents.review_document",
    "documents.view_declarationtemplate",
    "documents.view_issueddocument",
    "decisions.view_decisioncriterion",
    "decisions.view_standardcondition",
    "licenses.view_appeal",
    "screening.view_partymatch",
    "screening.decide_partymatch",
    "screening.view_watchlistsnapshot",
    "screening.release_watchlistsnapshot",
    "screening.view_concernentry",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    OFFICIALS: _OFFICIAL,
    SENIOR_OFFICIALS: _OFFICIAL
    + [
        "countries.approve_whitelistrevision",
        "documents.add_declarationtemplate",
        "licenses.assign_licenceapplication",
        "licenses.decide_appeal",
        "decisions.add_decisioncriterion",
        "decisions.change_decisioncriterion",
        "decisions.add_standardcondition",
        "decisions.change_standardcondition",
        "screening.manage_concernentry",
    ],
    AUDITORS: [
        "registry.view_audit_trail",
        "countries.view_country",
        "countries.view_whitelistrevision",
        "countries.view_whitelistchange",
        "licenses.view_vendor",
        "licenses.view_product",
        "licenses.view_licenceapplication",
        "licenses.view_licence",
        "licenses.view_party",
        "documents.view_document",
        "documents.view_declarationtemplate",
        "documents.view_issueddocument",
        "decisions.view_decisioncriterion",
        "licenses.view_appeal",
        "screening.view_partymatch",
        "screening.view_watchlistsnapshot",
        "screening.view_concernentry",
    ],
    VENDORS: [
        "registry.use_vendor_api",
        "countries.view_country",
        "licenses.add_product",
        "licenses.submit_licenceapplication",
        "licenses.add_deliveryreport",
        "documents.add_document",
        "notifications.view_webhook",
        "notifications.add_webhook",
    ],
    VENDOR_ADMINS: ["registry.manage_vendor_tokens"],
}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Creates the groups and sets exactly the permissions above that exist. Safe to run again.

    Takes the app registry of a migration, so it runs against the models as they were then.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    from django.apps import apps as live_apps

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is None and apps is not live_apps:
                # A model or permission a later migration creates: that migration syncs the
                # roles again.
                continue
            if found is None:
                raise Permission.DoesNotExist(name)
            permissions.append(found)
        group.permissions.set(permissions)
