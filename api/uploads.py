"""Request bodies that may come as JSON or as multipart with attachments."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from api.problems import ApiProblem
from api.schemas.text import NUL, NUL_REFUSED
from api.services import Services
from domain.attachments import AttachmentRef

M = TypeVar("M", bound=BaseModel)

_CHUNK = 64 * 1024
_REF = "#/components/schemas/{model}"
_MAX_BOUNDARY = 200
_TAIL = _MAX_BOUNDARY + 16
_MEDIA_TYPE = re.compile(
    r"^[A-Za-z0-9][\w.+-]{0,126}/[A-Za-z0-9][\w.+-]{0,126}$", re.ASCII
)


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body: JSON, or multipart with `payload` and files."""
    schema = {"$ref": _REF.format(model=model.__name__)}
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


def document_bodies(app: FastAPI, *models: type[BaseModel]) -> None:
    """Add the models that openapi_body refers to to the OpenAPI components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template=_REF)
            for name, definition in schema.pop("$defs", {}).items():
                schemas.setdefault(name, definition)
            schemas.setdefault(model.__name__, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


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


class _TailKeeper:
    """Passes the request body through and keeps its last bytes.

    The multipart parser accepts a body cut off before its closing boundary and
    silently drops the unfinished part; the tail shows whether the body ended.
    """

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.tail = b""

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.tail = (self.tail + message.get("body", b""))[-_TAIL:]
        return message

    def ended_with(self, boundary: bytes) -> bool:
        """Whether the body ended with the closing delimiter of this boundary."""
        body, close = self.tail.rstrip(b"\r\n"), b"--" + boundary + b"--"
        return body.endswith(close)


async def _read_multipart(
    request: Request, model: type[M], services: Services
) -> tuple[M, list[AttachmentRef]]:
    limit = services.max_attachment_bytes
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary", b"")
    if not 0 < len(boundary) <= _MAX_BOUNDARY:
        raise ApiProblem(400, "Bad Request", "a multipart body needs a boundary")
    tail = _TailKeeper(request.receive)
    request = Request(request.scope, tail)
    async with request.form(
        max_files=services.max_attachments, max_fields=10, max_part_size=2 * 1024 * 1024
    ) as form:
        # The form is parsed in full by now, so the tail is the body's end.
        if not tail.ended_with(boundary):
            raise ApiProblem(
                400,
                "Bad Request",
                "the multipart body ends before its closing boundary",
            )
        payload = form.get("payload")
        if not isinstance(payload, str):
            raise ApiProblem(
                422,
                "Invalid Request",
                "a multipart body needs a `payload` field holding JSON",
            )
        parsed = _validate(model, payload.encode())
        uploads = _files(form.getlist("attachments"))
        refs = []
        for upload in uploads:
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


def _files(parts: list[UploadFile | str]) -> list[UploadFile]:
    """The attachment parts, all checked before any is stored."""
    files = []
    for index, part in enumerate(parts):
        if not isinstance(part, UploadFile):
            raise ApiProblem(
                422, "Invalid Request", "`attachments` parts must be files"
            )
        if NUL in (part.filename or ""):
            raise ApiProblem(
                422,
                "Invalid Request",
                "the request does not match the schema",
                errors=[
                    {
                        "loc": ["attachments", index, "filename"],
                        "msg": NUL_REFUSED,
                        "type": "nul_character",
                    }
                ],
            )
        files.append(part)
    return files


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
