"""Where the event store lives: the eventsourcing environment for the settings."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.desk.configuration import CACHE_SIZE_KEY
from tickettape.connections import STATEMENT_TIMEOUT_KEY, statement_timeout_option
from tickettape.encryption import cipher_env
from tickettape.sealing import KEYRING_KEY
from tickettape.settings import Settings

# eventsourcing's stores, with every event sealed as it is written.
SQLITE_MODULE = "tickettape.sealing_sqlite:SealedSQLiteFactory"
POSTGRES_MODULE = "tickettape.sealing_postgres:SealedPostgresFactory"

_SCHEMES = ("postgresql", "postgres")
_Default = TypeVar("_Default", int, None)
_QUERY_KEYS = ("host", "port", "schema", "connect_timeout")
# Unquoted PostgreSQL identifiers only: the name also goes into a search_path option.
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SEARCH_PATH = re.compile(r"-c\s*search_path=([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class PostgresTarget:
    """The parts of a postgresql:// URL the stores need."""

    dbname: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    schema: str | None = None
    #: Only when the URL says; else the settings' postgres_connect_timeout.
    connect_timeout: int | None = None


def parse_database_url(url: str) -> PostgresTarget:
    """The connection parts of a PostgreSQL URL; ValueError says what is wrong."""
    try:
        parts = urlsplit(url)
        port_in_netloc = parts.port
    except ValueError as error:
        raise ValueError(f"database URL is malformed: {error}") from None
    if port_in_netloc == 0:
        raise ValueError("database URL port must be from 1 to 65535, not 0")
    if parts.scheme not in _SCHEMES:
        raise ValueError(
            f"database URL must start with postgresql://, not {parts.scheme!r}://"
        )
    query = _query(parts.query)
    host = unquote(parts.hostname or "") or query.get("host", "")
    if not host:
        raise ValueError(
            "database URL names no host: use postgresql://user:pass@host:port/db "
            "or postgresql://user:@/db?host=/socket/dir"
        )
    if "," in host:
        raise ValueError("database URL names several hosts; give exactly one")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ValueError("database URL names no database: add /dbname after the host")
    if "/" in dbname:
        raise ValueError(f"database URL path must be one /dbname, not /{dbname}")
    user = unquote(parts.username or "")
    if not user:
        raise ValueError("database URL names no user: use postgresql://user:pass@...")
    schema = query.get("schema") or None
    if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(
            f"schema {schema!r} in the database URL is not a plain lower-case "
            "identifier (a-z, 0-9, _; at most 63 characters)"
        )
    return PostgresTarget(
        dbname=dbname,
        host=host,
        port=port_in_netloc or _number(query, "port", 5432, 65535),
        user=user,
        password=unquote(parts.password or ""),
        schema=schema,
        connect_timeout=_number(query, "connect_timeout", None, 3600),
    )


def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for HelpDesk (creates the SQLite dir or schema)."""
    if not settings.uses_postgres:
        if settings.database_url:
            raise ValueError(
                "TICKETTAPE_DATABASE_URL must be empty (embedded SQLite) "
                "or start with postgresql://"
            )
        path = settings.event_store_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": SQLITE_MODULE,
            "SQLITE_DBNAME": str(path),
            KEYRING_KEY: str(settings.seal_key_path),
            # Seconds a writer waits for SQLite's file lock; 0 keeps the default 5.
            "SQLITE_LOCK_TIMEOUT": str(settings.postgres_lock_timeout),
            CACHE_SIZE_KEY: str(settings.record_cache_size),
            **cipher_env(settings.cipher_key),
        }
    target = parse_database_url(settings.database_url)
    if target.schema:
        # eventsourcing 9.5 qualifies its tables with the schema but never creates it.
        ensure_schema(settings)
    env = {
        "PERSISTENCE_MODULE": POSTGRES_MODULE,
        KEYRING_KEY: str(settings.seal_key_path),
        "POSTGRES_DBNAME": target.dbname,
        "POSTGRES_HOST": target.host,
        "POSTGRES_PORT": str(target.port),
        "POSTGRES_USER": target.user,
        "POSTGRES_PASSWORD": target.password,
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_LOCK_TIMEOUT": str(settings.postgres_lock_timeout),
        "POSTGRES_CONNECT_TIMEOUT": str(connect_timeout(settings)),
        STATEMENT_TIMEOUT_KEY: str(settings.postgres_statement_timeout),
        CACHE_SIZE_KEY: str(settings.record_cache_size),
        **cipher_env(settings.cipher_key),
    }
    if target.schema:
        env["POSTGRES_SCHEMA"] = target.schema
    return env


def libpq_conninfo(settings: Settings) -> str:
    """A psycopg conninfo for our own tables, in the URL's schema when it names one."""
    target = parse_database_url(settings.database_url)
    options = []
    if target.schema:
        options.append(f"-c search_path={target.schema}")
    if settings.postgres_lock_timeout:
        options.append(f"-c lock_timeout={settings.postgres_lock_timeout}s")
    statement_timeout = statement_timeout_option(settings.postgres_statement_timeout)
    if statement_timeout:
        options.append(statement_timeout)
    return make_conninfo(
        dbname=target.dbname,
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        connect_timeout=connect_timeout(settings),
        options=" ".join(options) or None,
    )


def bulk_conninfo(settings: Settings) -> str:
    """libpq_conninfo without the statement timeout, for a backup's or a restore's
    COPY of a whole table, which may rightly take minutes."""
    return libpq_conninfo(settings.model_copy(update={"postgres_statement_timeout": 0}))


def connect_timeout(settings: Settings) -> int:
    """Seconds to connect and to wait for a pooled connection (the URL's wins)."""
    given = parse_database_url(settings.database_url).connect_timeout
    return settings.postgres_connect_timeout if given is None else given


def conninfo_schema(conninfo: str) -> str | None:
    """The schema a conninfo from libpq_conninfo puts first on the search path."""
    options = str(conninfo_to_dict(conninfo).get("options") or "")
    found = _SEARCH_PATH.search(options)
    return found.group(1) if found else None


def ensure_schema(settings: Settings) -> None:
    """Create the URL's schema if it names one that does not exist yet."""
    target = parse_database_url(settings.database_url)
    if not target.schema:
        return
    create = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
        sql.Identifier(target.schema)
    )
    # Concurrent first starts may race; the loser sees the schema exist.
    duplicate = (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema)
    with (
        psycopg.connect(libpq_conninfo(settings), autocommit=True) as conn,
        contextlib.suppress(*duplicate),
    ):
        conn.execute(create)


def _query(text: str) -> dict[str, str]:
    values = parse_qs(text, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(values) - set(_QUERY_KEYS))
    if unknown:
        raise ValueError(
            f"database URL has unsupported parameter(s) {', '.join(unknown)}; "
            f"supported: {', '.join(_QUERY_KEYS)}"
        )
    repeated = sorted(key for key, found in values.items() if len(found) > 1)
    if repeated:
        raise ValueError(f"database URL repeats parameter(s) {', '.join(repeated)}")
    return {key: found[0] for key, found in values.items()}


def _number(
    query: dict[str, str], key: str, default: _Default, highest: int
) -> int | _Default:
    text = query.get(key)
    if text is None or text == "":
        return default
    if not text.isdigit() or not 1 <= int(text) <= highest:
        raise ValueError(
            f"database URL parameter {key}={text!r} is not a number from 1 to {highest}"
        )
    return int(text)
