"""SECURITY.md names the test that proves each property: every name must be a real test."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"`(tests/[^`:]+\.py)?(?:::(\w+))?`")


def _named_tests() -> list[tuple[str, str | None]]:
    named = []
    for line in (ROOT / "SECURITY.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        current = None
        for match in REFERENCE.finditer(line):
            path, name = match.groups()
            current = path or current
            if current:
                named.append((current, name))
    return named


def test_security_md_names_only_tests_that_exist():
    named = _named_tests()
    assert len(named) > 50
    missing = []
    for path, name in named:
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif name and not re.search(rf"^def {name}\(", file.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
