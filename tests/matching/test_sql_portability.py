"""The SQL fragments that differ between PostgreSQL and SQLite (the quick-start database)."""

import sqlite3

from partnerships.matching.placements import ordered_rows


def test_sqlite_aggregates_see_rows_strongest_first():
    """SQLite's group_concat has no ORDER BY: organisation matches listed the team's skills in
    table order there, not strongest first as on PostgreSQL. Wrapping the rows in an ordered
    subquery fixes the order the aggregate sees them in."""
    db = sqlite3.connect(":memory:")
    rows = [(1, 10, 1.0), (1, 11, 5.0), (1, 12, 3.0), (2, 13, 1.0), (2, 14, 2.0)]
    db.execute("CREATE TABLE t (organisation_id, skill_id, points)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    source = ordered_rows("ms", "points DESC, skill_id", vendor="sqlite")
    head = "WITH ms AS (SELECT * FROM t) SELECT ms.organisation_id, group_concat(ms.skill_id, ',')"
    sql = f"{head} FROM {source} GROUP BY ms.organisation_id ORDER BY 1"
    assert db.execute(sql).fetchall() == [(1, "11,12,10"), (2, "14,13")]


def test_postgresql_orders_inside_the_aggregate():
    assert ordered_rows("ms", "points DESC", vendor="postgresql") == "ms"
