"""Domain modules other than desk.py import only the stdlib and eventsourcing.domain.

import-linter cannot forbid subpackages of an external package, so this check
reads the import statements of the domain package itself (run by `make lint`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "domain"
APPLICATION_MODULE = "desk.py"
ALLOWED_EVENTSOURCING = {"eventsourcing.domain"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """The absolute modules a file imports, with their line numbers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


def offences(path: Path) -> list[str]:
    """The imports of one domain module that point outside what it may use."""
    bad = []
    for line, module in imported_modules(path):
        top = module.partition(".")[0]
        if top == "eventsourcing":
            allowed = module in ALLOWED_EVENTSOURCING
        else:
            allowed = module != "domain.desk" and (
                top == "domain" or top in sys.stdlib_module_names
            )
        if not allowed:
            bad.append(f"{path.name}:{line}: imports {module}")
    return bad


def main() -> int:
    """Print every offending import; non-zero exit if there is one."""
    bad = [
        offence
        for path in sorted(DOMAIN.glob("*.py"))
        if path.name != APPLICATION_MODULE
        for offence in offences(path)
    ]
    for offence in bad:
        print(offence)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
