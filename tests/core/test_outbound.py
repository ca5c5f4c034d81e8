"""The outbound guard is the only way out: no module but ``vinculo.core.outbound`` opens a
connection, resolves a name or imports an HTTP client, so a new feature that fetches a URL a
user gave (a favicon, a website, a callback) cannot skip the SSRF checks by accident."""

from __future__ import annotations

import re
from pathlib import Path

import vinculo

SRC = Path(vinculo.__file__).resolve().parent
GUARD = SRC / "core" / "outbound.py"
# Ways to reach the network from Python, by what a module would have to write.
WAYS_OUT = re.compile(
    r"HTTPS?Connection\(|urlopen\(|urllib\.request|create_connection\(|getaddrinfo\("
    r"|socket\.socket\(|\bimport (?:requests|httpx|urllib3|aiohttp|pycurl)\b"
    r"|\bfrom (?:requests|httpx|urllib3|aiohttp|pycurl)\b"
)


def test_only_the_guard_opens_connections():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path != GUARD
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WAYS_OUT.search(line)
    ]
    assert offenders == [], "use vinculo.core.outbound:\n" + "\n".join(offenders)
    assert WAYS_OUT.search(GUARD.read_text(encoding="utf-8"))  # the pattern still matches
