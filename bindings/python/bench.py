#!/usr/bin/env python3
"""ns per check from Python: the binding by names (with and without request
context), by ids and in batches, against a dict of precomputed decisions and
against the CLI (`verdict check` in a subprocess), in one run.

    python bindings/python/bench.py [--users N] [--checks N] [--rounds N]

Builds the agreement fixture (bindings/fixture/make.py) in a temporary folder
with N users; every figure is the median over rounds of the same request
stream. Prints a markdown table. Not a test: nothing here asserts a time.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixture"))
import make  # noqa: E402

import verdict  # noqa: E402


def per_check(fn, n, rounds):
    """Median ns per check of `fn()` doing `n` checks, over `rounds` runs."""
    fn()  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - start) / n)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--checks", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cli-checks", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table_path, requests_path, _ = make.make(tmp, users=args.users, count=args.checks, seed=3)
        table = verdict.Table.open(table_path)
        reqs = [json.loads(line, parse_int=str, parse_float=str) for line in Path(requests_path).read_text().splitlines()]
        reqs = [r for r in reqs if r["principal"] != "user/nobody" and r["action"] != "chime:NoSuchAction"]
        pairs = [(r["principal"], r["action"]) for r in reqs]
        full = [(r["principal"], r["action"], r.get("resource"), r.get("context")) for r in reqs]
        ids = [(table.principal(p), table.action(a)) for p, a in pairs]
        n = len(pairs)
        decisions = {pair: table.check(*pair) for pair in pairs}
        check, check_ids, check_ids_with = table.check, table.check_ids, table.check_ids_with

        def by_names():
            for p, a in pairs:
                check(p, a)

        def by_names_request():
            for p, a, r, c in full:
                check(p, a, r, c)

        def by_ids():
            for p, a in ids:
                check_ids(p, a)

        def by_ids_request():
            for (p, a), (_, _, r, c) in zip(ids, full):
                check_ids_with(p, a, r, c)

        def batch():
            table.check_many(full)

        def dict_lookup():
            get = decisions.__getitem__
            for pair in pairs:
                get(pair)

        def loop_only():
            for pair in pairs:
                pass

        rows = [
            ("`Table.check(p, a)` by names", per_check(by_names, n, args.rounds)),
            ("`Table.check(p, a, resource, context)`", per_check(by_names_request, n, args.rounds)),
            ("`Table.check_ids(p, a)` (cell)", per_check(by_ids, n, args.rounds)),
            ("`Table.check_ids_with(p, a, resource, context)`", per_check(by_ids_request, n, args.rounds)),
            ("`Table.check_many(requests)` per request", per_check(batch, n, args.rounds)),
            ("`dict[(p, a)]` of precomputed decisions", per_check(dict_lookup, n, args.rounds)),
            ("empty `for` loop over the pairs", per_check(loop_only, n, args.rounds)),
        ]
        bin_ = make.verdict_bin()
        sample = pairs[: args.cli_checks]

        def cli():
            for p, a in sample:
                subprocess.run([bin_, "check", str(table_path), p, a], capture_output=True, check=False)

        rows.append(("`verdict check` in a subprocess", per_check(cli, len(sample), 3)))
        print(f"table: {args.users} generated users + 5 conditional ({table.fingerprint}); "
              f"{n} requests, median of {args.rounds} rounds; CLI: {bin_}, {len(sample)} calls × 3")
        print(f"python {sys.version.split()[0]}\n")
        print("| Python | ns/check |")
        print("|---|---:|")
        for name, ns in rows:
            print(f"| {name} | {ns:,.0f} |")


if __name__ == "__main__":
    main()
