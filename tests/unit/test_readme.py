"""The README keeps every section a new user needs, and every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tickettape.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTIONS = [
    "## The two commands",
    "## Configuration",
    "## Command line",
    "## API",
    "## Auditing",
    "## Backup and restore",
    "## How tickets behave",
    "## Architecture",
    "## Performance",
]


@pytest.mark.parametrize("heading", SECTIONS)
def test_the_readme_has_the_section(heading: str) -> None:
    assert f"\n{heading}" in README


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    assert f"`TICKETTAPE_{name.upper()}`" in README
