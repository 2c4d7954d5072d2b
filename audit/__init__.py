"""The audit log: who did what — approved, rejected, released, confirmed, retried, changed an AWS account,
a Region route or anything else in admin — in one append-only table, exportable as CSV."""
