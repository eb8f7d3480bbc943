"""Clients that are slow on purpose (a request head or a body trickled in, or
nothing sent at all) are cut off in bounded time by a real `serve`, and the
server goes on answering everybody else."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.faults.served import Server, first_admin_token, ready_status, serving
from tickettape.settings import Settings

#: The deadlines this test gives the server, in seconds.
HEAD = BODY = 1.0
#: How long a cut-off may take here at most: the deadline and a busy machine.
CUT_OFF = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    root = tmp_path_factory.mktemp("slow")
    settings = Settings(data_dir=root / "data")
    token = first_admin_token(settings)
    with serving(
        settings,
        root / "serve.log",
        TICKETTAPE_REQUEST_HEAD_SECONDS=str(HEAD),
        TICKETTAPE_REQUEST_BODY_IDLE_SECONDS=str(BODY),
    ) as served:
        yield served, token


def connect(server: Server) -> socket.socket:
    """A raw connection to the server."""
    return socket.create_connection(("127.0.0.1", server.port), timeout=CUT_OFF)


def closed_within(connection: socket.socket) -> float:
    """Seconds until the server closed the connection (whatever it said first;
    a reset, when we had sent more after its close, counts as closed)."""
    began = time.monotonic()
    try:
        while connection.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - began


def test_a_connection_that_sends_nothing_is_closed(
    server: tuple[Server, str],
) -> None:
    with connect(server[0]) as connection:
        assert closed_within(connection) < CUT_OFF


def test_a_head_trickled_in_is_cut_off_at_its_deadline(
    server: tuple[Server, str],
) -> None:
    """A byte now and then does not move the deadline: it counts from the
    head's first byte."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    began = time.monotonic()
    with connect(server[0]) as connection:
        try:
            for byte in head:
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
                assert time.monotonic() - began < CUT_OFF
        except OSError:
            pass  # the server closed it mid-head
        else:
            pytest.fail("a head trickled in over 20 s was not cut off")
        assert closed_within(connection) < CUT_OFF


def test_a_body_that_stalls_is_answered_408(server: tuple[Server, str]) -> None:
    served, token = server
    body = json.dumps({"title": "Printer", "article": {"body": "It smokes"}}).encode()
    head = (
        "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with connect(served) as connection:
        connection.sendall(head + body[:10])
        answer = connection.makefile("rb").read()
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    problem = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert problem["title"] == "Request Timeout"


def test_a_stream_answered_before_its_body_came_is_not_cut_off(
    server: tuple[Server, str],
) -> None:
    """A route that answers without reading the body (a stream) keeps going
    while the body stalls; the server logs no error for it."""
    served, token = server
    head = (
        "GET /api/v1/activity/stream?max_seconds=2 HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100\r\n\r\n"
    ).encode()
    began = time.monotonic()
    with connect(served) as connection:
        connection.sendall(head + b"x" * 10)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
            if answer.endswith(b"0\r\n\r\n"):
                break
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer
    assert answer.endswith(b"0\r\n\r\n"), answer  # the stream's own end
    assert time.monotonic() - began >= 1.5
    assert "Exception in ASGI application" not in served.output()


def test_the_server_answers_others_while_slow_clients_hang_on(
    server: tuple[Server, str],
) -> None:
    served = server[0]
    idle = [connect(served) for _ in range(50)]
    try:
        assert ready_status(served.port) == 200
        # A keep-alive client at a normal pace is served on one connection,
        # its pauses between requests longer than the head's deadline.
        client = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        try:
            for _ in range(3):
                client.request("GET", "/healthz")
                answer = client.getresponse()
                assert (answer.status, answer.read()) == (200, b'{"status":"ok"}')
                time.sleep(HEAD * 1.5)
        finally:
            client.close()
    finally:
        for connection in idle:
            connection.close()
