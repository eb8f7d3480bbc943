"""The API process killed (SIGKILL) under load, on SQLite and on PostgreSQL: once
it is back, every acknowledged write is there exactly once, the views it keeps
equal a rebuild, and the archive verifies."""

from __future__ import annotations

import time
from pathlib import Path

from tests.faults.checks import assert_followed, assert_sound, figures
from tests.faults.load import under_load
from tests.faults.served import first_admin_token, serving
from tickettape.settings import Settings

#: Seconds of load before the kill and after the restart.
STEADY = 2.0


def test_an_api_killed_under_load_loses_no_acknowledged_write(
    runtime_settings: Settings, tmp_path: Path
) -> None:
    token = first_admin_token(runtime_settings)
    with serving(runtime_settings, tmp_path / "serve.log") as server:
        with under_load(server.port, token) as load:
            time.sleep(STEADY)
            killed = time.monotonic()
            server.kill()
            server.start()
            back = time.monotonic()
            time.sleep(STEADY)
        load.settle()
        assert_followed(runtime_settings, server)

    cut = [w for w in load.writes if any(r.status is None for r in w.replies)]
    print(f"\n{figures(load.replies)}; {len(cut)} writes cut off by the kill")
    print(f"serve was back {back - killed:.2f} s after the kill")
    # Only what was in flight or sent while no process listened went unanswered.
    assert_sound(runtime_settings, load, excused=[(killed, back)])
