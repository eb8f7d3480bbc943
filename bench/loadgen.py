"""The bounded HTTP load generator, run as its own process on 127.0.0.1.

`python -m bench.loadgen JOB` takes a JSON job (port and phases) and prints a JSON
result per phase. Each phase sends a fixed number of requests over a fixed number
of keep-alive HTTP/1.1 connections (raw asyncio sockets, so the client costs
little of the machine's two cores), and stops sending at its deadline. A path
with `{number}` is filled with the ticket numbers an earlier phase created (or
the job's `numbers` before any did), each connection using its own tickets, so
no two requests race for one ticket.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

HEAD_LIMIT = 64 * 1024


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


def _request(port: int, phase: dict[str, Any], number: str | None) -> bytes:
    path = str(phase["path"]).replace("{number}", number or "")
    body = json.dumps(phase["body"]).encode() if phase.get("body") else b""
    lines = [
        f"{phase['method']} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {phase.get('token', '')}",
    ]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _phase(
    port: int, phase: dict[str, Any], numbers: list[str]
) -> dict[str, Any]:
    count = int(phase["count"])
    width = int(phase["concurrency"])
    deadline = time.perf_counter() + float(phase["deadline_s"])
    latencies: list[float] = []
    failures: dict[str, int] = {}
    created: list[str] = []
    remaining = [count]

    async def connection(slot: int) -> None:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, limit=HEAD_LIMIT
        )
        mine = numbers[slot::width] or [""]
        sent = 0
        try:
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                request = _request(port, phase, mine[sent % len(mine)])
                sent += 1
                began = time.perf_counter()
                status, body = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - began)
                if not 200 <= status < 300:
                    failures[str(status)] = failures.get(str(status), 0) + 1
                elif phase.get("collect"):
                    created.append(str(json.loads(body)["number"]))
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection(slot) for slot in range(width)))
    seconds = time.perf_counter() - began
    return {
        "name": phase["name"],
        "requests": len(latencies),
        "seconds": seconds,
        "latencies": latencies,
        "failures": failures,
        "created": created,
    }


async def run(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Every phase of the job in order; created numbers feed the later phases."""
    results = []
    numbers: list[str] = [str(n) for n in job.get("numbers", [])]
    for phase in job["phases"]:
        result = await _phase(int(job["port"]), phase, numbers)
        numbers = result["created"] or numbers
        results.append(result)
    return results


def main() -> None:
    """Read the job from argv, print the results as JSON."""
    job = json.loads(sys.argv[1])
    print(json.dumps(asyncio.run(run(job))))


if __name__ == "__main__":
    main()
