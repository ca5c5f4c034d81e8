"""What every PostgreSQL connection is set to (the suite runs on PostgreSQL when
VINCULO_TEST_DATABASE_URL is set; on SQLite there is nothing to check)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgres_connections_do_not_jit_compile():
    """JIT compiling cost 0.3-2 s on KPI queries that run in 0.1-0.2 s (docs/kpis.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
