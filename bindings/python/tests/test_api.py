"""Every method of the `verdict` module, each answer compared with the CLI's."""

import threading
from pathlib import Path

import pytest

import verdict

MEETING = "arn:aws:chime:us-east-1:123456789012:meeting/m1"


def cli_check(cli, table, principal, action, resource=None, context=None):
    args = ["check", table, principal, action]
    if resource is not None:
        args += ["--resource", resource]
    for key, value in (context or {}).items():
        for one in value if isinstance(value, list) else [value]:
            args += ["--context", f"{key}={one}"]
    word = cli(*args, check=False).stdout.strip()
    return {"allow": verdict.Decision.ALLOW, "deny": verdict.Decision.DENY,
            "implicit-deny": verdict.Decision.IMPLICIT_DENY}[word]


CASES = [
    ("user/c4", "chime:ListUsers", None, None, verdict.Decision.IMPLICIT_DENY),
    ("user/c4", "chime:ListUsers", None, {"aws:SourceIp": "10.1.2.3"}, verdict.Decision.ALLOW),
    ("user/c4", "chime:ListUsers", None, {"AWS:SOURCEIP": "2001:db8::7"}, verdict.Decision.ALLOW),
    ("user/c4", "chime:ListUsers", None, {"aws:SourceIp": "8.8.8.8"}, verdict.Decision.IMPLICIT_DENY),
    ("user/c4", "chime:DeleteAccount", None, {"aws:MultiFactorAuthPresent": "false"}, verdict.Decision.DENY),
    ("user/c4", "chime:DeleteAccount", None, {"aws:MultiFactorAuthPresent": False}, verdict.Decision.DENY),
    ("user/c4", "chime:CreateChannel", MEETING, {"aws:RequestTag/team": "red"}, verdict.Decision.ALLOW),
    ("user/c4", "chime:CreateChannel", MEETING, {"aws:RequestTag/team": "green"}, verdict.Decision.IMPLICIT_DENY),
    ("user/c4", "chime:CreateChannel", None, {"aws:RequestTag/team": "red"}, verdict.Decision.IMPLICIT_DENY),
    ("user/c4", "chime:TagResource", None, {"aws:TagKeys": ["team", "env"]}, verdict.Decision.ALLOW),
    ("user/c4", "chime:TagResource", None, {"aws:TagKeys": ["team", "owner"]}, verdict.Decision.IMPLICIT_DENY),
    ("user/c4", "chime:UntagResource", None, {"aws:TagKeys": ["secret"]}, verdict.Decision.DENY),
    ("user/c4", "chime:BatchCreateRoomMembership", None, {"aws:MultiFactorAuthAge": 60}, verdict.Decision.ALLOW),
]


@pytest.mark.parametrize("principal,action,resource,context,expected", CASES)
def test_check_by_names_with_requests(org, cli, principal, action, resource, context, expected):
    table = verdict.Table.open(org[0])
    got = table.check(principal, action, resource, context)
    assert got == expected
    assert got == table.check(principal, action, resource=resource, context=context)
    if not any(isinstance(v, bool) or isinstance(v, int) for v in (context or {}).values()):
        assert got == cli_check(cli, org[0], principal, action, resource, context)


def test_decision_and_cell_enums():
    assert {str(d) for d in (verdict.Decision.ALLOW, verdict.Decision.DENY, verdict.Decision.IMPLICIT_DENY)} == {
        "allow", "deny", "implicit-deny"}
    assert verdict.Decision.ALLOW.allowed and not verdict.Decision.DENY.allowed
    assert not verdict.Decision.IMPLICIT_DENY.allowed
    assert str(verdict.Cell.CONDITIONAL) == "conditional"
    assert verdict.Decision.ALLOW != verdict.Decision.DENY
    assert len({verdict.Decision.ALLOW, verdict.Decision.ALLOW, verdict.Decision.DENY}) == 2


def test_from_bytes_equals_open(org):
    data = Path(org[0]).read_bytes()
    a, b = verdict.Table.open(org[0]), verdict.Table.from_bytes(data)
    assert a.fingerprint == b.fingerprint
    assert a.n_principals == b.n_principals > 100
    assert a.n_actions == b.n_actions == 316
    for principal, action, resource, context, _ in CASES:
        assert a.check(principal, action, resource, context) == b.check(principal, action, resource, context)
    assert "verdict.Table" in repr(a)


def test_fingerprint_tells_tables_apart(org, org_b):
    a, b = verdict.Table.open(org[0]), verdict.Table.open(org_b)
    assert a.fingerprint and "\n" not in a.fingerprint
    assert a.fingerprint == verdict.Table.open(org[0]).fingerprint
    assert a.fingerprint != b.fingerprint


def test_ids_and_cells(org):
    table = verdict.Table.open(org[0])
    p, a = table.principal("user/c4"), table.action("chime:ListUsers")
    assert isinstance(p, int) and isinstance(a, int)
    assert table.action("CHIME:listusers") == a
    assert table.check_ids(p, a) is verdict.Cell.CONDITIONAL  # the class's own objects
    assert table.check_ids_with(p, a) is verdict.Decision.IMPLICIT_DENY
    assert table.check_ids_with(p, a) == verdict.Decision.IMPLICIT_DENY
    assert table.check_ids_with(p, a, None, {"aws:SourceIp": "10.9.9.9"}) == verdict.Decision.ALLOW
    for principal, action, resource, context, expected in CASES:
        ids = table.principal(principal), table.action(action)
        assert table.check_ids_with(*ids, resource=resource, context=context) == expected
    # A cell with a fixed answer agrees with the check by names.
    for name in ("user/u0", "user/u1", "user/c0"):
        for action in ("chime:ListUsers", "chime:DeleteAccount", "chime:GetMeeting"):
            cell = table.check_ids(table.principal(name), table.action(action))
            decision = table.check(name, action)
            if cell != verdict.Cell.CONDITIONAL:
                assert str(cell) == str(decision)


def test_ids_out_of_range_raise(org):
    table = verdict.Table.open(org[0])
    for p, a in [(table.n_principals, 0), (0, table.n_actions), (2**32 - 1, 2**32 - 1)]:
        with pytest.raises(IndexError):
            table.check_ids(p, a)
        with pytest.raises(IndexError):
            table.check_ids_with(p, a)
    with pytest.raises(OverflowError):
        table.check_ids(-1, 0)


def test_unknown_names_raise(org):
    table = verdict.Table.open(org[0])
    with pytest.raises(verdict.UnknownPrincipal, match="user/nobody"):
        table.check("user/nobody", "chime:ListUsers")
    with pytest.raises(verdict.UnknownAction, match="chime:Nope"):
        table.check("user/c4", "chime:Nope")
    with pytest.raises(verdict.UnknownPrincipal):
        table.principal("USER/C4")  # principal names match exactly
    with pytest.raises(verdict.UnknownAction):
        table.action("")
    assert issubclass(verdict.UnknownPrincipal, verdict.UnknownName)
    assert issubclass(verdict.UnknownAction, LookupError)


def test_bad_arguments_raise(org):
    table = verdict.Table.open(org[0])
    with pytest.raises(TypeError):
        table.check("user/c4", "chime:ListUsers", None, {"aws:SourceIp": 1.5})
    with pytest.raises(TypeError):
        table.check("user/c4", "chime:ListUsers", None, {"aws:SourceIp": None})
    with pytest.raises(TypeError):
        table.check("user/c4", "chime:ListUsers", None, {1: "x"})
    with pytest.raises(TypeError):
        table.check("user/c4", "chime:ListUsers", None, [("aws:SourceIp", "10.0.0.1")])
    with pytest.raises(TypeError):
        table.check(b"user/c4", "chime:ListUsers")
    with pytest.raises(UnicodeEncodeError):
        table.check("user/\udcff", "chime:ListUsers")


def test_requests_over_limits_raise(org):
    table = verdict.Table.open(org[0])
    with pytest.raises(verdict.RequestError, match="resource"):
        table.check("user/c4", "chime:ListUsers", "a" * 5000)
    many = {f"k{i}": "v" for i in range(1001)}
    with pytest.raises(verdict.RequestError):
        table.check("user/c4", "chime:ListUsers", None, many)
    with pytest.raises(ValueError):
        table.check_ids_with(0, 0, None, {"k": "v" * 5000})


def test_check_many(org):
    table = verdict.Table.open(org[0])
    dicts = [{"principal": p, "action": a, **({"resource": r} if r else {}), **({"context": c} if c else {})}
             for p, a, r, c, _ in CASES]
    tuples = [(p, a, r, c) for p, a, r, c, _ in CASES] + [("user/c4", "chime:ListUsers")]
    expected = [e for *_, e in CASES]
    assert table.check_many(dicts) == expected
    assert table.check_many(iter(tuples)) == expected + [verdict.Decision.IMPLICIT_DENY]
    assert table.check_many([]) == []
    with pytest.raises(verdict.UnknownPrincipal, match="request 1: "):
        table.check_many([dicts[0], {"principal": "user/nobody", "action": "chime:ListUsers"}])
    with pytest.raises(ValueError, match="unknown request field"):
        table.check_many([{"principal": "user/c4", "action": "chime:ListUsers", "extra": 1}])
    with pytest.raises(ValueError, match="needs an action"):
        table.check_many([{"principal": "user/c4"}])
    with pytest.raises(ValueError):
        table.check_many([("user/c4",)])
    with pytest.raises(TypeError):
        table.check_many(["user/c4"])
    with pytest.raises(TypeError):
        table.check_many(5)


def test_check_many_from_threads(org):
    table = verdict.Table.open(org[0])
    batch = [(p, a, r, c) for p, a, r, c, _ in CASES] * 200
    expected = [e for *_, e in CASES] * 200
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(table.check_many(batch) == expected)
        except Exception as err:  # noqa: BLE001  (reported below)
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [True] * 20


def header_patched(data, offset, value, width=4):
    data = bytearray(data)
    data[offset:offset + width] = value.to_bytes(width, "little")
    return bytes(data)


def test_load_errors_have_classes(org, tmp_path):
    data = Path(org[0]).read_bytes()
    cases = [
        (b"", verdict.NotATable),
        (b"not a table at all, just some text", verdict.NotATable),
        (data[:30], verdict.Damaged),
        (data[: len(data) // 2], verdict.Damaged),
        (data[:100] + bytes([data[100] ^ 0xFF]) + data[101:], verdict.Damaged),
        (data + b"x", verdict.Damaged),
        (header_patched(data, 12, 99), verdict.UnsupportedVersion),
        (header_patched(data, 12, 1), verdict.UnsupportedVersion),
        (header_patched(data, 24, 1 << 40, 8), verdict.TooLarge),
    ]
    for raw, cls in cases:
        with pytest.raises(cls) as err:
            verdict.Table.from_bytes(raw)
        assert isinstance(err.value, verdict.LoadError)
        assert str(err.value)
        path = tmp_path / "t.vdt"
        path.write_bytes(raw)
        with pytest.raises(cls):
            verdict.Table.open(path)
        with pytest.raises(cls):
            verdict.TableHandle.open(str(path))
    with pytest.raises(verdict.NotFound):
        verdict.Table.open(tmp_path / "missing.vdt")
    with pytest.raises(verdict.NotATable):
        verdict.Table.open(tmp_path)
    big = tmp_path / "big.vdt"
    with open(big, "wb") as f:
        f.truncate((1 << 28) + 4096)
    with pytest.raises(verdict.TooLarge):
        verdict.Table.open(big)
    for cls in (verdict.NotFound, verdict.NotATable, verdict.Damaged, verdict.UnsupportedVersion,
                verdict.TooLarge, verdict.IoError, verdict.Unverified):
        assert issubclass(cls, verdict.LoadError)


def test_handle_reload(org, org_b, tmp_path):
    path = tmp_path / "live.vdt"
    a, b = Path(org[0]).read_bytes(), Path(org_b).read_bytes()
    path.write_bytes(a)
    handle = verdict.TableHandle.open(path)
    assert handle.generation == 1 and handle.last_error is None
    first = handle.current()
    assert handle.fingerprint == verdict.Table.from_bytes(a).fingerprint
    assert handle.check("user/c4", "chime:ListUsers", None, {"aws:SourceIp": "10.1.2.3"}) == verdict.Decision.ALLOW
    path.write_bytes(b)
    assert handle.reload() == 2
    assert handle.fingerprint == verdict.Table.from_bytes(b).fingerprint != first.fingerprint
    # The table taken before the reload still answers as before.
    assert first.fingerprint == verdict.Table.from_bytes(a).fingerprint
    path.write_bytes(b"garbage")
    with pytest.raises(verdict.NotATable):
        handle.reload()
    assert isinstance(handle.last_error, verdict.NotATable)
    assert handle.generation == 2
    assert handle.fingerprint == verdict.Table.from_bytes(b).fingerprint
    path.unlink()
    with pytest.raises(verdict.NotFound):
        handle.reload()
    with pytest.raises(verdict.Damaged):
        handle.reload_from_bytes(a[:-1])
    assert handle.reload_from_bytes(a) == 3
    assert handle.last_error is None
    assert handle.check_many([("user/c4", "chime:ListUsers")]) == [verdict.Decision.IMPLICIT_DENY]
    assert "generation 3" in repr(handle)
    other = verdict.TableHandle.from_bytes(b)
    assert other.generation == 1
    assert other.current().fingerprint == verdict.Table.from_bytes(b).fingerprint
    with pytest.raises(verdict.UnknownPrincipal):
        other.check("user/nobody", "chime:ListUsers")
