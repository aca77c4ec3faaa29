"""PostgreSQL triggers that make every history table append-only.

UPDATE and DELETE on a history table are always rejected, whoever runs them. TRUNCATE is rejected
too, unless the session has set ``registry.allow_history_truncate`` to ``on``: only the ``flush``
command sets it (it empties every table at once, as the test runner does between transactional
tests), so no statement empties a history table by accident. Any session may set the setting,
though: what keeps the app's own role from truncating is that it is granted no TRUNCATE. The
chain's head may only move forward. ``trigger_problems`` reports a trigger that is missing and
one that is there but disabled (``ALTER TABLE … DISABLE TRIGGER``, which only the tables' owner
or a superuser can run: the app should connect as a role that is neither, docs/operations.md).

The Merkle log's nodes and its checkpoints are guarded the same way. A migration installs the
triggers on the tables that exist then; ``post_migrate`` adds them to any history table a later
migration creates.
"""

from django.db import connections

TRUNCATE_SETTING = "registry.allow_history_truncate"

GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION registry_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('{TRUNCATE_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

HEAD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION registry_audit_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('{TRUNCATE_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.last_seq > OLD.last_seq AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

HISTORY_TRIGGER = "registry_history_append_only"
HEAD_TRIGGER = "registry_audit_head_forward_only"
HEAD_TABLE = "registry_auditchainhead"
# The Merkle log (registry.audit.tree), its signed checkpoints, the decision receipts and the
# verification runs: append-only like history.
LOG_TABLES = (
    "audit_tree_node",
    "audit_checkpoint",
    "audit_decision_receipt",
    "audit_verification_run",
)


def _history_tables(app_registry, cursor=None) -> list[str]:
    tables = {
        model._meta.db_table
        for model in app_registry.get_models()
        if model.__name__.startswith("Historical")
        and any(field.name == "audit_seq" for field in model._meta.fields)
    }
    if cursor is not None:
        existing = set(cursor.db.introspection.table_names(cursor))
        tables.update(table for table in LOG_TABLES if table in existing)
    return sorted(tables)


def _missing(cursor, trigger: str, tables: list[str]) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s AND c.relname = ANY(%s)",
        [trigger, tables],
    )
    present = {row[0] for row in cursor.fetchall()}
    return [table for table in tables if table not in present]


def install(app_registry, using: str = "default") -> list[str]:
    """Installs the triggers where they are missing. Returns the tables it guarded."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = _history_tables(app_registry, cursor)
        cursor.execute(GUARD_FUNCTION)
        cursor.execute(HEAD_FUNCTION)
        missing = _missing(cursor, HISTORY_TRIGGER, tables)
        for table in missing:
            cursor.execute(
                f"CREATE TRIGGER {HISTORY_TRIGGER} BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {quote(table)} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION registry_history_append_only()"
            )
        if _missing(cursor, HEAD_TRIGGER, [HEAD_TABLE]):
            cursor.execute(
                f"CREATE TRIGGER {HEAD_TRIGGER} BEFORE UPDATE OR DELETE ON {HEAD_TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION registry_audit_head_forward_only()"
            )
            cursor.execute(
                f"CREATE TRIGGER {HEAD_TRIGGER}_truncate BEFORE TRUNCATE ON {HEAD_TABLE} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION registry_audit_head_forward_only()"
            )
    return missing


def _states(cursor, trigger: str, tables: list[str]) -> dict[str, str]:
    """``{table: tgenabled}`` of the trigger on each table that has it."""
    cursor.execute(
        "SELECT c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s AND c.relname = ANY(%s)",
        [trigger, tables],
    )
    return dict(cursor.fetchall())


# ``tgenabled``: "O" fires in ordinary sessions, "A" always; "D" is disabled and "R" fires only in
# replica sessions, so with either an ordinary UPDATE or DELETE passes.
_FIRING = {"O", "A"}


def trigger_problems(using: str = "default") -> list[str]:
    """Each guard that is missing or does not fire (``ALTER TABLE … DISABLE TRIGGER``), on the
    history tables and the chain's head; empty off PostgreSQL."""
    from django.apps import apps

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    problems = []
    with connection.cursor() as cursor:
        expected = [(HISTORY_TRIGGER, table) for table in _history_tables(apps, cursor)]
        expected += [(HEAD_TRIGGER, HEAD_TABLE), (f"{HEAD_TRIGGER}_truncate", HEAD_TABLE)]
        for trigger in dict.fromkeys(name for name, _ in expected):
            tables = [table for name, table in expected if name == trigger]
            states = _states(cursor, trigger, tables)
            for table in tables:
                state = states.get(table)
                if state is None:
                    problems.append(f"{table}: trigger {trigger} is missing")
                elif state not in _FIRING:
                    problems.append(f"{table}: trigger {trigger} is disabled")
    return problems


def unguarded_tables(using: str = "default") -> list[str]:
    """The tables whose guard is missing or disabled (empty off PostgreSQL)."""
    return sorted({problem.split(":", 1)[0] for problem in trigger_problems(using)})


def install_after_migrate(sender, using="default", apps=None, **kwargs):
    from django.apps import apps as global_apps

    install(apps or global_apps, using=using)
