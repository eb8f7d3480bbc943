"""The rules every text in a request obeys: no NUL anywhere, path-safe names.

Request models derive from `Strict`, which refuses unknown fields and a NUL
character in any string they hold; names that later appear in a URL path
(queues, organizations, tags, statuses, fields, agent logins, priorities and
ticket types) are annotated `PathSafe` where they are made.
"""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

NUL = "\x00"
NUL_REFUSED = "text must not contain a NUL character (\\u0000)"
#: Names a URL path cannot carry as one segment: `/` splits it, and clients
#: and proxies resolve `.` and `..` away before the server sees them.
UNADDRESSABLE = frozenset({".", ".."})


def _nul_at(value: object, where: str = "") -> str | None:
    """Where in a string, list or mapping a NUL character is; None if nowhere."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, list | tuple):
        items = enumerate(value)
        return next(
            (at for i, v in items if (at := _nul_at(v, f"{where}[{i}]")) is not None),
            None,
        )
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_at(key, f"{where} key") or _nul_at(item, f"{where}[{key!r}]")
            if found is not None:
                return found
    return None


class Strict(BaseModel):
    """Unknown fields are refused, never silently dropped, and so is a NUL character.

    PostgreSQL cannot store NUL in text, so it is refused at the edge on every
    store alike: a clear 422 naming the field, and nothing written.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        where = _nul_at(value)
        if where is not None:
            raise PydanticCustomError(
                "nul_character",
                NUL_REFUSED + "{where}",
                {"where": f" (at {where.strip()})" if where else ""},
            )
        return value


def _path_safe(name: str) -> str:
    if "/" in name or name in UNADDRESSABLE or not name.strip():
        raise PydanticCustomError(
            "path_name",
            "a name must not contain '/', be '.' or '..', or be only spaces, "
            "since it is used in URL paths",
        )
    return name


#: Add to a new name's annotations: the name can be one segment of a URL path.
#: Only new names are checked; a reference to an existing record is not.
PathSafe = AfterValidator(_path_safe)
