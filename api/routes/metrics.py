"""Prometheus metrics: the log's end; the views' and the chain's positions and lags;
the open activity streams and the clients held back for bad tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import PlainTextResponse

from api.deps import ServicesDep
from api.workers import Router
from projections.escalations.query import Gauges, gauges
from projections.escalations.view import NAME as ESCALATIONS

router = Router(tags=["health"])

#: The Prometheus text exposition format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Sample = tuple[dict[str, str], int]


class PrometheusText(PlainTextResponse):
    """A response in the Prometheus text exposition format."""

    media_type = CONTENT_TYPE


@router.get("/metrics", response_class=PrometheusText)
def metrics(services: ServicesDep) -> str:
    """Gauges for scrapers: the log position; the views' and the chain's position, lag.

    Unauthenticated, as Prometheus scrapers expect: it tells no more than /readyz
    (the log position) plus the names of the read models.
    """
    positions = [] if services.views is None else services.views.positions()
    chain = None if services.chain is None else services.chain.position()
    # Read after the views, so the log's end is never behind a view's position.
    top = services.desk.recorder.max_notification_id() or 0
    lines = gauge(
        "tickettape_log_position", "Id of the last event in the log", [({}, top)]
    )
    lines += gauge(
        "tickettape_view_position",
        "Id of the last event a view has taken in",
        [({"view": view.name}, view.position) for view in positions],
    )
    lines += gauge(
        "tickettape_view_lag_events",
        "How many log ids a view is behind the log's end",
        [({"view": view.name}, view.lag) for view in positions],
    )
    lines += gauge(
        "tickettape_chain_position",
        "Id of the last event the audit hash chain covers",
        [] if chain is None else [({}, chain.position)],
    )
    lines += gauge(
        "tickettape_chain_lag_events",
        "How many log ids the audit hash chain is behind the log's end",
        [] if chain is None else [({}, chain.lag)],
    )
    lines += gauge(
        "tickettape_chain_stopped",
        "1 when this process's chain keeper found an event it will not chain, or "
        "an archive it will not sign (see its log); `tickettape replay verify` "
        "names it",
        [] if chain is None else [({}, int(chain.finding is not None))],
    )
    lines += gauge(
        "tickettape_activity_streams_open",
        "Activity streams (SSE) this process serves now",
        [({}, services.stream_seats.open_streams())],
    )
    throttle = services.auth_throttle
    lines += gauge(
        "tickettape_auth_held_back_clients",
        "Client addresses whose tokens this process refuses now (429), after "
        "too many bad ones",
        [] if throttle is None else [({}, throttle.held_back())],
    )
    if services.views is not None and ESCALATIONS in [v.name for v in positions]:
        lines += escalation_gauges(gauges(services.views.store, datetime.now(UTC)))
    return "\n".join(lines) + "\n"


def escalation_gauges(found: Gauges) -> list[str]:
    """The SLA gauges: clocks breached and warned now, and the oldest overdue."""
    lines = gauge(
        "tickettape_sla_breached_clocks",
        "Counting SLA clocks of unfinished tickets past their due time",
        [({}, found.breached)],
    )
    lines += gauge(
        "tickettape_sla_warned_clocks",
        "Counting SLA clocks past their warning time, not yet due",
        [({}, found.warned)],
    )
    lines += gauge(
        "tickettape_sla_oldest_overdue_seconds",
        "How long the longest overdue counting clock is past its due time",
        [({}, found.oldest_overdue_seconds)],
    )
    return lines


def gauge(name: str, help_text: str, samples: list[Sample]) -> list[str]:
    """One gauge's HELP, TYPE and sample lines."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        tags = ",".join(f'{key}="{escape(text)}"' for key, text in labels.items())
        lines.append(f"{name}{{{tags}}} {value}" if tags else f"{name} {value}")
    return lines


def escape(label: str) -> str:
    """A label value as the text format quotes it."""
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
