"""The command line: which scenarios on which stores, how much work, where to."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from bench import views_scale
from bench.counts import FULL, QUICK, TINY, Counts
from bench.figures import Comparison
from bench.report import machine, write
from bench.scenarios import KEYS, SCENARIOS
from bench.stores import BenchStores, postgres_version
from tools.throwaway_postgres import postgres_server

RESULTS = Path(__file__).resolve().parent / "results"
STORES = ("sqlite", "postgres")


def _names(text: str, known: Sequence[str], what: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(known)}"
        )
    return names


def _tickets(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 10:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count of 10 or more")
    return count


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options; --quick and --tiny pick smaller counts."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Our paths against the raw database doing the same work.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small counts, < 5 min")
    size.add_argument(
        "--tiny", action="store_true", help="tiny counts (the smoke test)"
    )
    parser.add_argument(
        "--stores",
        type=lambda text: _names(text, STORES, "store"),
        default=list(STORES),
        help="sqlite,postgres (default both)",
    )
    parser.add_argument(
        "--scenarios",
        type=lambda text: _names(text, KEYS, "scenario"),
        default=list(KEYS),
        help=f"any of {','.join(KEYS)} (default: all)",
    )
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="where latest.md/json go"
    )
    parser.add_argument(
        "--views-tickets",
        type=_tickets,
        default=None,
        metavar="N",
        help="views at scale: compare N tickets with N/10 (e.g. 1000000)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen scenarios on the chosen stores; print and write the table."""
    options = parse(argv)
    counts: Counts = TINY if options.tiny else QUICK if options.quick else FULL
    comparisons: list[Comparison] = []
    postgres: str | None = None
    root = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    began = time.monotonic()
    try:
        for kind in options.stores:
            with contextlib.ExitStack() as stack:
                url = None
                if kind == "postgres":
                    url = stack.enter_context(postgres_server())
                    postgres = postgres_version(url)
                stores = BenchStores(kind, root / kind, url)
                stack.callback(stores.close)
                for scenario in SCENARIOS:
                    if scenario.key not in options.scenarios:
                        continue
                    _say(f"{scenario.title} on {kind} ({counts.mode})")
                    run = scenario.run
                    if scenario.key == "views" and options.views_tickets:
                        run = partial(views_scale.run, largest=options.views_tickets)
                    comparisons += run(stores, counts)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    settings = {
        "stores": options.stores,
        "scenarios": options.scenarios,
        "views_tickets": options.views_tickets,
        "seconds": round(time.monotonic() - began, 1),
    }
    text = write(options.out, comparisons, machine(postgres), counts, settings)
    print(text)
    return 0


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
