"""Fixtures of the `verdict` binding's tests: tables compiled by the CLI.

The agreement test reads a table and a request file (JSON lines, as
`verdict check --batch` reads them): `$VERDICT_AGREEMENT_TABLE` and
`$VERDICT_AGREEMENT_REQUESTS` when set, else the fixture of
`bindings/fixture/make.py`. The CLI is `$VERDICT_BIN` or the repo's build.
"""

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixture"
sys.path.insert(0, str(FIXTURE))

import make  # noqa: E402  (bindings/fixture/make.py)


@pytest.fixture(scope="session")
def cli():
    """Runs the verdict CLI; returns its completed process."""

    def run(*args, stdin=None, check=True):
        return subprocess.run(
            [make.verdict_bin(), *map(str, args)],
            capture_output=True,
            text=True,
            input=stdin,
            check=check,
        )

    return run


@pytest.fixture(scope="session")
def org(tmp_path_factory):
    """The generated organisation with conditions: (table, requests, answers)."""
    return make.make(tmp_path_factory.mktemp("org"), users=120, count=1500, seed=11)


@pytest.fixture(scope="session")
def org_b(org):
    """The same organisation with the conditional users' policies rotated: a
    second table over the same names that answers some requests differently."""
    return Path(org[0]).parent / "org_b.vdt"
