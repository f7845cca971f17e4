#!/usr/bin/env python3
"""Writes the seeds of the `eval` fuzz target (fuzz/seeds/eval/*.bin).

The target reads its input as a little program (fuzz/fuzz_targets/eval.rs):
the number of atoms, each atom, the seven literals of a fixed residual shape
(deny = l1 OR (l2 AND l3); allow = (l4 OR (l5 AND l6)) AND l7), then three
requests (context entries and a resource). This script spells that program
with the target's own tables, so each seed is a small meaningful table and
requests that reach every branch of its atoms. Keep the tables below in step
with eval.rs; run `python3 fuzz/seeds/make_eval_seeds.py` from the repository
root to rewrite the seeds.
"""

import os

OPS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan",
    "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
    "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals",
    "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
    "ArnNotLike", "Null",
]
KEYS = ["k", "aws:sourceip", "aws:tagkeys", "aws:username", "tag/σας"]
CTX_KEYS = ["K", "aws:SourceIp", "AWS:TagKeys", "aws:username", "TAG/ΣΑΣ"]
VALUES = [
    "10", "-0.5", "2030-01-01T00:00:00Z", "1700000000", "2030", "10.0.0.0/8",
    "10.1.2.3", "2001:db8::/32", "2001:db8::1", "QQ==", "QUI", "true", "FALSE",
    "arn:aws:s3:::b/*", "arn:aws:iam::1:role/a", "*", "a*b?", "", "arn:aws:s3",
    "ΣΑΣ",
]
SETS = ["None", "ForAllValues", "ForAnyValue"]


def text(value):
    """A string: from the pool when it is there, else raw bytes (< 16)."""
    if value in VALUES:
        return [0, VALUES.index(value)]
    raw = value.encode()
    assert len(raw) < 16, value
    return [1, len(raw)] + list(raw)


def template(*parts):
    """Parts: ("text", s), ("literal", s) or ("var", key, default-or-None)."""
    assert len(parts) < 4
    out = [len(parts)]
    for part in parts:
        if part[0] == "text":
            out += [0] + text(part[1])
        elif part[0] == "literal":
            out += [2] + text(part[1])
        else:
            _, key, default = part
            out += [3, KEYS.index(key)]
            out += [0] if default is None else [1] + text(default)
    return out


def plain(value):
    return template(("text", value))


def condition(op, key, values, set_op="None", if_exists=False, fixed=None):
    assert len(values) < 3
    out = [1, len(values), SETS.index(set_op), OPS.index(op), int(if_exists), KEYS.index(key)]
    out += [1] if fixed is None else [0] + text(fixed)
    for value in values:
        out += value
    return out


def resource(patterns, negated=False):
    assert len(patterns) < 3
    out = [0, len(patterns)]
    for pattern in patterns:
        out += pattern
    return out + [int(negated)]


def lits(*pairs):
    """Seven (atom, negated) pairs, in the target's order."""
    assert len(pairs) == 7
    out = []
    for atom, negated in pairs:
        out += [atom, int(negated)]
    return out


def request(entries, resource_text):
    """Entries: (context key, str) single-valued or (context key, [str]) multivalued."""
    assert len(entries) < 5
    out = [len(entries)]
    for key, value in entries:
        out.append(CTX_KEYS.index(key))
        if isinstance(value, list):
            assert len(value) < 4
            out += [1, len(value)]
            for v in value:
                out += text(v)
        else:
            out += [0] + text(value)
    return out + text(resource_text)


def program(atoms, literal_pairs, requests):
    assert 1 <= len(atoms) <= 6 and len(requests) == 3
    out = [len(atoms) - 1]
    for atom in atoms:
        out += atom
    out += lits(*literal_pairs)
    for req in requests:
        out += req
    return bytes(out)


SEEDS = {
    # X17: deny unless the caller is in 10.0.0.0/8; inside, outside, key absent.
    "ip_deny_outside": program(
        [condition("IpAddress", "aws:sourceip", [plain("10.0.0.0/8")])],
        [(0, True), (0, True), (0, True), (0, False), (0, False), (0, False), (0, False)],
        [
            request([("aws:SourceIp", "10.1.2.3")], "*"),
            request([("aws:SourceIp", "192.0.2.1")], "*"),
            request([], "*"),
        ],
    ),
    # C13: IPv6 network, NotIpAddress with an IPv4 network, an unparseable address.
    "ip_families": program(
        [
            condition("IpAddress", "aws:sourceip", [plain("2001:db8::/32")]),
            condition("NotIpAddress", "aws:sourceip", [plain("10.0.0.0/8")]),
        ],
        [(1, True), (1, True), (1, True), (0, False), (1, False), (1, False), (0, False)],
        [
            request([("aws:SourceIp", "2001:db8::1")], "*"),
            request([("aws:SourceIp", "10.1.2.3")], "*"),
            request([("aws:SourceIp", "not-an-ip")], "*"),
        ],
    ),
    # C16, C17, C7: set operators over a multivalued key; present, empty, absent.
    "set_operators": program(
        [
            condition("StringEquals", "aws:tagkeys", [plain("team"), plain("env")], "ForAllValues"),
            condition("StringLike", "aws:tagkeys", [plain("a*b?")], "ForAnyValue"),
            condition("StringEquals", "aws:tagkeys", [plain("team")]),
            condition("Null", "aws:tagkeys", [plain("false")]),
        ],
        [(2, False), (2, False), (2, False), (0, False), (1, False), (3, False), (0, False)],
        [
            request([("AWS:TagKeys", ["team", "env"])], "*"),
            request([("AWS:TagKeys", ["team", "axby"])], "*"),
            request([("AWS:TagKeys", [])], "*"),
        ],
    ),
    # C-VAR-3, C-VAR-5: a variable with and without a default, resolved or not.
    "variables": program(
        [
            condition("StringEquals", "k", [template(("var", "aws:username", None))]),
            condition("StringNotEquals", "k", [template(("var", "tag/σας", None))]),
            condition("StringLike", "k", [template(("text", "home/"), ("var", "aws:username", "shared"), ("literal", "*"))]),
        ],
        [(1, True), (1, True), (1, True), (0, False), (2, False), (2, False), (1, False)],
        [
            request([("K", "alice"), ("aws:username", "alice")], "*"),
            request([("K", "home/shared*")], "*"),
            request([("K", "x"), ("aws:username", ["a", "b"]), ("TAG/ΣΑΣ", "x")], "*"),
        ],
    ),
    # K4: a key the model fixes compared with a request-key variable.
    "fixed_key": program(
        [condition("StringEquals", "aws:username", [template(("var", "k", None))], fixed="alice")],
        [(0, True), (0, True), (0, True), (0, False), (0, False), (0, False), (0, False)],
        [
            request([("K", "alice")], "*"),
            request([("K", "bob")], "*"),
            request([], "*"),
        ],
    ),
    # R2, R3, R7: a Resource and a NotResource entry; matching, other, no resource.
    "resources": program(
        [
            resource([plain("arn:aws:s3:::b/*")]),
            resource([plain("arn:aws:s3"), plain("arn:aws:iam::1:role/a")], negated=True),
        ],
        [(1, True), (1, True), (1, True), (0, False), (0, False), (1, False), (1, False)],
        [
            request([], "arn:aws:s3:::b/"),
            request([], "arn:aws:s3:::c/"),
            request([], "*"),
        ],
    ),
    # C9, C10, C11, C12, C-TYPE: typed operators with good and bad request values.
    "typed": program(
        [
            condition("NumericGreaterThan", "k", [plain("10")]),
            condition("DateLessThan", "k", [plain("2030-01-01T00:00:00Z")], if_exists=True),
            condition("Bool", "k", [plain("true")]),
            condition("BinaryEquals", "k", [plain("QQ==")]),
            condition("NumericNotEquals", "k", [plain("-0.5")]),
            condition("ArnLike", "k", [plain("arn:aws:iam::1:role/a")]),
        ],
        [(4, True), (4, True), (4, True), (0, False), (2, False), (3, False), (1, False)],
        [
            request([("K", "11")], "*"),
            request([("K", "1700000000")], "*"),
            request([("K", "TRUE")], "*"),
        ],
    ),
    # A policy value of the wrong type: the table must fail to load, not panic.
    "bad_policy_value": program(
        [condition("NumericEquals", "k", [plain("ten")])],
        [(0, False)] * 7,
        [request([], "*")] * 3,
    ),
}


def main():
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval")
    os.makedirs(folder, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(folder, name + ".bin"), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main()
