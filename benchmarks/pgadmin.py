"""Postgres administration for the benchmarks: create and drop their scratch databases, read the server version."""

from __future__ import annotations

import psycopg2

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_SERVER}/postgres"


def admin_sql(*statements: str) -> None:
    """Run statements on the server's maintenance database, outside a transaction (CREATE/DROP DATABASE)."""
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def server_version() -> str:
    """The server's version, e.g. '15.20'."""
    conn = psycopg2.connect(PG_ADMIN)
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        version = str(cur.fetchone()[0]).split()[0]
    conn.close()
    return version
