"""Request bodies that may come as JSON or as multipart with attachments."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.problems import ApiProblem
from api.services import Services
from domain.attachments import AttachmentRef

M = TypeVar("M", bound=BaseModel)

_CHUNK = 64 * 1024
_MEDIA_TYPE = re.compile(
    r"^[A-Za-z0-9][\w.+-]{0,126}/[A-Za-z0-9][\w.+-]{0,126}$", re.ASCII
)


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body: JSON, or multipart with `payload` and files."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["payload"],
                        "properties": {
                            "payload": {
                                "type": "string",
                                "description": f"{model.__name__} as JSON",
                            },
                            "attachments": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                },
            },
        }
    }


async def read_body(
    request: Request, model: type[M], services: Services
) -> tuple[M, list[AttachmentRef]]:
    """The validated payload and the stored attachments of a JSON or multipart body."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _read_multipart(request, model, services)
    if not content_type.startswith("application/json"):
        raise ApiProblem(
            415,
            "Unsupported Media Type",
            "send application/json or multipart/form-data",
        )
    return _validate(model, await request.body()), []


async def _read_multipart(
    request: Request, model: type[M], services: Services
) -> tuple[M, list[AttachmentRef]]:
    limit = services.max_attachment_bytes
    async with request.form(
        max_files=services.max_attachments, max_fields=10, max_part_size=2 * 1024 * 1024
    ) as form:
        payload = form.get("payload")
        if not isinstance(payload, str):
            raise ApiProblem(
                422,
                "Invalid Request",
                "a multipart body needs a `payload` field holding JSON",
            )
        parsed = _validate(model, payload.encode())
        refs = []
        for upload in form.getlist("attachments"):
            if not isinstance(upload, UploadFile):
                raise ApiProblem(
                    422, "Invalid Request", "`attachments` parts must be files"
                )
            content = await _read_limited(upload, limit)
            digest = await run_in_threadpool(services.blobs.put, content)
            refs.append(
                AttachmentRef(
                    name=(upload.filename or "attachment")[:255],
                    content_type=_media_type(upload.content_type),
                    size=len(content),
                    sha256=digest,
                )
            )
    return parsed, refs


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ApiProblem(
                413,
                "Attachment Too Large",
                f"{upload.filename!r} exceeds the limit of {limit} bytes",
                limit=limit,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(declared: str | None) -> str:
    if declared and _MEDIA_TYPE.match(declared):
        return declared
    return "application/octet-stream"


def _validate(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        details = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in error.errors()
        ]
        raise ApiProblem(
            422,
            "Invalid Request",
            "the request does not match the schema",
            errors=details,
        ) from None
