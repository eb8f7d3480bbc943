"""Reading the activity feed and its SSE stream as a caller, and writing to it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from domain.articles import Article
from domain.desk import HelpDesk
from tests.e2e.memory_desk import AGENT, Auth, read

FEED, STREAM = "/api/v1/activity", "/api/v1/activity/stream"


def add_note(desk: HelpDesk, number: str, body: str, visibility: str) -> str:
    """An agent's article; its id."""
    article = Article(desk.new_article_id(), "agent", visibility, "web", body)
    desk.add_article(number, article, AGENT)
    return article.article_id


def feed(api: TestClient, auth: Auth, who: str, **params: Any) -> dict[str, Any]:
    """The feed as a caller sees it, expecting success."""
    return read(api, FEED, auth[who], **params)


def stream(
    api: TestClient,
    auth: Auth,
    who: str,
    headers: dict[str, str] | None = None,
    **p: Any,
) -> list[dict[str, Any]]:
    """The frames of a stream that closes at once: id and data of each event."""
    params = {"max_seconds": 0, **p}
    response = api.get(STREAM, params=params, headers={**auth[who], **(headers or {})})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return frames(response.text)


def frames(text: str) -> list[dict[str, Any]]:
    """Parse SSE text: each event's id and JSON data; comments become {}."""
    found = []
    for block in filter(None, text.split("\n\n")):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        found.append(
            {"id": int(fields["id"]), "data": json.loads(fields["data"])}
            if "id" in fields
            else {}
        )
    return found
