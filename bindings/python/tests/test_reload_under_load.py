"""Reload under load: threads check while the table file is replaced again and
again (atomic rename) and reloaded; never an error, never a mixed answer.

No timing: the run is a fixed number of replacements, and the checkers run
until the last one is done.
"""

import json
import os
import threading
from pathlib import Path

import verdict

REPLACEMENTS = int(os.environ.get("VERDICT_RELOADS", "150"))


def test_reload_under_load(org, org_b, tmp_path):
    a_bytes, b_bytes = Path(org[0]).read_bytes(), Path(org_b).read_bytes()
    a, b = verdict.Table.from_bytes(a_bytes), verdict.Table.from_bytes(b_bytes)
    reqs = [json.loads(line, parse_int=str, parse_float=str) for line in Path(org[1]).read_text().splitlines()]
    reqs = [r for r in reqs if r["principal"] != "user/nobody" and r["action"] != "chime:NoSuchAction"]
    answers_a, answers_b = a.check_many(reqs), b.check_many(reqs)
    # Every request the tables answer differently, and as many they agree on.
    differing = [r for r, x, y in zip(reqs, answers_a, answers_b) if x != y]
    reqs = differing + [r for r, x, y in zip(reqs, answers_a, answers_b) if x == y][: len(differing)]
    answers_a, answers_b = a.check_many(reqs), b.check_many(reqs)
    differ = sum(x != y for x, y in zip(answers_a, answers_b))
    assert differ > 20, "the two tables must answer the batch differently"
    singles = [(i, r) for i, r in enumerate(reqs) if answers_a[i] != answers_b[i]][:50]

    path = tmp_path / "live.vdt"
    path.write_bytes(a_bytes)
    handle = verdict.TableHandle.open(path)
    done = threading.Event()
    errors, seen = [], {"a": 0, "b": 0, "single": 0}
    lock = threading.Lock()

    def checker():
        try:
            while not done.is_set():
                got = handle.check_many(reqs)
                if got == answers_a:
                    which = "a"
                elif got == answers_b:
                    which = "b"
                else:
                    raise AssertionError("a batch mixed the two tables' answers")
                for i, r in singles:
                    one = handle.check(r["principal"], r["action"], r.get("resource"), r.get("context"))
                    assert one in (answers_a[i], answers_b[i])
                snapshot = handle.current()
                fp = snapshot.fingerprint
                assert fp in (a.fingerprint, b.fingerprint)
                assert snapshot.check_many(reqs) == (answers_a if fp == a.fingerprint else answers_b)
                with lock:
                    seen[which] += 1
                    seen["single"] += len(singles)
        except Exception as err:  # noqa: BLE001  (reported by the test)
            errors.append(err)
            done.set()

    def writer():
        try:
            for n in range(REPLACEMENTS):
                tmp = tmp_path / f".live.{n}.tmp"
                tmp.write_bytes(b_bytes if n % 2 == 0 else a_bytes)
                os.replace(tmp, path)
                assert handle.reload() == n + 2
        except Exception as err:  # noqa: BLE001
            errors.append(err)
        finally:
            done.set()

    threads = [threading.Thread(target=checker) for _ in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert handle.generation == REPLACEMENTS + 1
    assert handle.last_error is None
    assert seen["a"] + seen["b"] >= 1
    # The last replacement wrote table a when REPLACEMENTS is even.
    last = a if REPLACEMENTS % 2 == 0 else b
    assert handle.fingerprint == last.fingerprint
