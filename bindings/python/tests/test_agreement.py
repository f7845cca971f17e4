"""The binding's decisions equal the CLI's batch answers on the same requests.

Point it at another table and request file (JSON lines as `verdict check
--batch` reads them) with `VERDICT_AGREEMENT_TABLE` and
`VERDICT_AGREEMENT_REQUESTS`; by default it uses the generated organisation
with conditions of `bindings/fixture/make.py`.
"""

import json
import os
from pathlib import Path

import pytest

import verdict

WORDS = {verdict.Decision.ALLOW: "allow", verdict.Decision.DENY: "deny",
         verdict.Decision.IMPLICIT_DENY: "implicit-deny"}


@pytest.fixture(scope="module")
def agreement(org, cli):
    table = os.environ.get("VERDICT_AGREEMENT_TABLE", str(org[0]))
    requests = os.environ.get("VERDICT_AGREEMENT_REQUESTS", str(org[1]))
    text = Path(requests).read_text()
    answers = [json.loads(line) for line in cli("check", table, "--batch", "-", stdin=text).stdout.splitlines()]
    # JSON numbers stay their text, as the CLI reads them.
    reqs = [json.loads(line, parse_int=str, parse_float=str) for line in text.splitlines()]
    assert len(answers) == len(reqs) > 0
    return table, reqs, answers


def binding_answer(call):
    try:
        return WORDS[call()]
    except (verdict.UnknownName, verdict.RequestError):
        return "error"


def test_decisions_equal_the_cli(agreement):
    table_path, reqs, answers = agreement
    table = verdict.Table.open(table_path)
    handle = verdict.TableHandle.open(table_path)
    kinds = set()
    for req, answer in zip(reqs, answers):
        expected = answer["decision"]
        kinds.add(expected)
        args = (req["principal"], req["action"], req.get("resource"), req.get("context"))
        assert binding_answer(lambda: table.check(*args)) == expected, (req, answer)
        assert binding_answer(lambda: handle.check(*args)) == expected, (req, answer)
        try:
            ids = table.principal(req["principal"]), table.action(req["action"])
        except verdict.UnknownName:
            assert expected == "error", (req, answer)
            continue
        assert binding_answer(lambda: table.check_ids_with(*ids, args[2], args[3])) == expected, (req, answer)
    if "VERDICT_AGREEMENT_TABLE" not in os.environ:
        assert kinds == {"allow", "deny", "implicit-deny", "error"}


def test_batches_equal_the_cli(agreement):
    table_path, reqs, answers = agreement
    table = verdict.Table.open(table_path)
    known = [(r, a) for r, a in zip(reqs, answers) if a["decision"] != "error"]
    got = table.check_many([r for r, _ in known])
    assert [WORDS[d] for d in got] == [a["decision"] for _, a in known]
