"""A paginator for admin changelists of large tables: PostgreSQL's row estimate instead of COUNT(*).

Django's admin counts the rows of a changelist for its paginator (and, unless
`ModelAdmin.show_full_result_count = False`, once more for "N total"). On a large PostgreSQL table an
exact COUNT(*) reads every row; the documented way out is a `ModelAdmin.paginator` whose `count` reads
the planner's estimate (`pg_class.reltuples`, kept fresh by autovacuum's ANALYZE) when the list is the
whole table and the table is large. A filtered list, a small table or another database (SQLite in the
demo) keeps the exact count, read through the read cache (`caching.cached`): keyed by the count's own
SQL and parameters, recomputed as soon as any app whose table the SQL names is written.
"""

from __future__ import annotations

import re

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from caching import app_of_table, cached, digest

# Below this many (estimated) rows COUNT(*) is cheap and exact: use it.
ESTIMATE_ABOVE_ROWS = 100_000


def estimated_row_count(queryset: QuerySet) -> int | None:
    """The planner's row estimate for `queryset`'s table when `queryset` is the whole table on
    PostgreSQL, else None. -1 (never analysed) is None too."""
    query = queryset.query
    if query.where or query.distinct or query.low_mark or query.high_mark is not None:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


# Every quoted name in the SQL: the tables (and columns, which match no table) it reads.
_QUOTED = re.compile(r'"([^"]+)"')


def _apps_of_sql(sql: str) -> set[str] | None:
    """The app labels of the tables `sql` names (None if it names no model's table: not cached)."""
    found = {app_of_table(name) for name in _QUOTED.findall(sql)}
    found.discard(None)
    return found or None  # type: ignore[return-value]


def cached_count(queryset: QuerySet) -> int:
    """queryset.count(), from the read cache until a table the count reads is written."""
    try:
        sql, params = queryset.query.chain().get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. `team_id__in=[]`: Django counts 0 without a query
        return queryset.count()
    depends = _apps_of_sql(sql)
    if depends is None:
        return queryset.count()
    key = f"paginator-count:{queryset.db}:{digest(sql, params)}"
    return cached(key, queryset.count, depends=depends)


class EstimatedCountPaginator(Paginator):
    """`count` is PostgreSQL's estimate for an unfiltered list of a large table, else COUNT(*)."""

    estimate_above = ESTIMATE_ABOVE_ROWS

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_row_count(self.object_list)
            if estimate is not None and estimate >= self.estimate_above:
                return estimate
            return cached_count(self.object_list)
        return super().count
