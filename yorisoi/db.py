"""Database helpers shared by the apps' workflows."""

import threading
from contextlib import AbstractContextManager, nullcontext

from django.db import connection

# SQLite (the `make run` default) has no row locks and one writer at a time: serialising this
# process's locked writes keeps two threads of one server (two tabs, a double click) from
# failing on a locked database. Server databases lock rows instead.
_sqlite_writes = threading.RLock()


def one_writer_on_sqlite() -> AbstractContextManager:
    """Hold around a transaction that locks rows with select_for_update."""
    return nullcontext() if connection.features.has_select_for_update else _sqlite_writes
