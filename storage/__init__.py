"""One storage layer for SQLite and PostgreSQL: connections, transactions, dialect.

The views, the audit ledger and the blob store open a `Database` and write one
SQL with `?` placeholders; what differs between the two stores lives here.
"""
