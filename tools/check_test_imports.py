"""Tests share helpers, not each other: no module imports a test module or a conftest.

pytest imports test modules and conftest files itself; importing one again from
another module runs it twice or under a second name, and ties tests together.
Shared code lives in helper modules (tests/stores.py, tests/e2e/memory_desk.py...),
fixtures in conftest.py. Nothing outside tests/ imports tests/ at all: bench and
tools stand on their own (run by `make lint`; import-linter keeps the shipped
packages off tests, bench and tools).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("tests", "bench", "tools")


def module_name(path: Path) -> str:
    """The dotted name of a file below the project root."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported_modules(path: Path, source: str) -> list[tuple[int, str]]:
    """Every module the source imports (relative ones resolved), with line numbers."""
    package = module_name(path).rsplit(".", 1)[0].split(".")
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            # `from tests.e2e import test_search` imports a module too.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def is_test_module(module: str) -> bool:
    """A module pytest collects or loads itself: test_*.py and conftest.py."""
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def offences(path: Path, source: str) -> list[str]:
    """The imports of one file that break the rule."""
    in_tests = module_name(path).split(".")[0] == "tests"
    bad = []
    for line, module in imported_modules(path, source):
        top = module.split(".")[0]
        if in_tests and top == "tests" and is_test_module(module):
            bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
        elif not in_tests and top == "tests":
            bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module} (tests)")
    return bad


def main() -> int:
    """Print every offending import; non-zero exit if there is one."""
    bad = [
        offence
        for folder in CHECKED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for offence in offences(path, path.read_text())
    ]
    for offence in bad:
        print(offence)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
