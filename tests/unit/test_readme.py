"""The README keeps every section a new user needs, and every setting."""

from __future__ import annotations

import re
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


def test_every_file_the_walkthrough_uploads_is_made_first() -> None:
    uploads = re.findall(r"(=|--data-binary )@(\w[\w.-]*)", README)
    assert ("--data-binary ", "message.eml") in uploads
    for how, name in uploads:
        made = README.find(f"> {name}")
        assert 0 <= made < README.find(f"{how}@{name}"), f"{name} is never created"


def test_every_shell_variable_an_example_uses_is_set_before() -> None:
    examples = "\n".join(re.findall(r"```sh\n(.*?)```", README, re.DOTALL))
    unquoted = re.sub(r"<<'EOF'\n.*?\nEOF\n", "\n", examples, flags=re.DOTALL)
    for line in unquoted.splitlines():
        used = re.findall(r"\$\{?([A-Z][A-Z_0-9]*)", line.split(" #")[0])
        set_before = unquoted[: unquoted.index(line)]
        for name in used:
            assert re.search(rf"^(export )?{name}=", set_before, re.MULTILINE), (
                f"${name} is used before an example sets it: {line}"
            )


def test_the_tools_the_walkthrough_uses_are_listed_before_it() -> None:
    needs = README[: README.index("## The two commands") + 400]
    assert "`curl`" in needs
    assert "`jq`" in needs


@pytest.mark.parametrize("command", ["token create", "token list", "token revoke"])
def test_every_token_command_is_documented(command: str) -> None:
    assert f"tickettape {command}" in README


def test_the_status_line_calls_nothing_done_to_come() -> None:
    to_come = README[
        README.index("Still to come") : README.index("## The two commands")
    ]
    assert "backlog" not in to_come
    assert "mail" not in to_come
    assert "tickettape replay backlog" in README[: README.index("Still to come")]
