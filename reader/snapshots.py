"""Reads that see one state of the database.

A page whose cached parts are stored under a fingerprint (a column, a part of a long text, the
report) must read the fingerprint and everything it renders from the same state: read in separate
statements, a write committed in between is drawn into an entry stored under the fingerprint of
before, and once the write is undone (deleted) the fingerprint is that again, and the entry, showing
the write, is served as fresh.

`read_snapshot()` (a context manager and a view decorator) holds one read-only snapshot for its
block: on PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a deferred transaction,
whose first read fixes what it sees (in WAL mode a reader takes no lock a writer waits for, so
writers go on meanwhile), whose statements must be reads, so that a write inside fails on both
databases instead of turning the snapshot into a write transaction.

Inside an atomic block (a test's transaction, a write) it adds nothing: that transaction already
reads one state. Nor on a connection shared between threads (the live server of the browser
tests shares its in-memory SQLite connection): a transaction there would be every thread's.
"""

import re
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction


@contextmanager
def read_snapshot(using=DEFAULT_DB_ALIAS):
    """One read-only state of the database for the block (see the module's docstring)."""
    connection = connections[using]
    if connection.in_atomic_block or connection.allow_thread_sharing or _in_transaction(connection):
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:  # the first statement: before any snapshot is taken
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Not atomic(): the settings begin its transactions IMMEDIATE, taking the write lock.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            with connection.execute_wrapper(_refuse_writes):
                yield
        except BaseException:
            _end(connection, "ROLLBACK")
            raise
        _end(connection, "COMMIT")
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL
        raise NotImplementedError(f"No read snapshot on {connection.vendor}.")


# SQLite's `PRAGMA query_only` would refuse writes itself, but setting a flag pragma expires every
# prepared statement: each page then compiled all of its statements again (2–3 ms of a comparison).
_READ = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)


def _refuse_writes(execute, sql, params, many, context):
    if not _READ.match(sql):
        raise DatabaseError(f"A read snapshot writes nothing; refused: {sql[:80]}")
    return execute(sql, params, many, context)


def _in_transaction(connection):
    """A snapshot begun already (one inside another joins it)."""
    raw = connection.connection
    return connection.vendor == "sqlite" and raw is not None and raw.in_transaction


def _end(connection, how):
    with connection.cursor() as cursor:
        if connection.connection.in_transaction:
            cursor.execute(how)
