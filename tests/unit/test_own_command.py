"""The command `serve` names in its hints is one the operator can run from there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tickettape.console import own_command


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout whose script is .venv/bin/tickettape, not on the PATH."""
    script = tmp_path / "repo" / ".venv" / "bin" / "tickettape"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    return tmp_path / "repo"


def test_make_run_names_the_script_in_the_venv(checkout: Path) -> None:
    assert own_command(".venv/bin/tickettape", checkout) == ".venv/bin/tickettape"
    absolute = str(checkout / ".venv/bin/tickettape")
    assert own_command(absolute, checkout) == ".venv/bin/tickettape"


def test_a_script_outside_the_directory_is_named_in_full(checkout: Path) -> None:
    absolute = str(checkout / ".venv/bin/tickettape")
    assert own_command(absolute, checkout.parent / "elsewhere") == absolute


def test_a_script_in_the_directory_itself_gets_a_dot_slash(checkout: Path) -> None:
    bin_dir = checkout / ".venv/bin"
    assert own_command(str(bin_dir / "tickettape"), bin_dir) == "./tickettape"


def test_a_script_on_the_path_is_named_bare(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = checkout / ".venv/bin"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin")
    assert own_command(str(bin_dir / "tickettape"), checkout) == "tickettape"


def test_python_dash_m_names_the_interpreter(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(checkout / ".venv/bin/python"))
    main = str(checkout / "tickettape" / "__main__.py")
    assert own_command(main, checkout) == ".venv/bin/python -m tickettape"


def test_a_path_with_spaces_is_quoted(tmp_path: Path) -> None:
    script = tmp_path / "my tools" / "tickettape"
    assert own_command(str(script), tmp_path) == "'my tools/tickettape'"
