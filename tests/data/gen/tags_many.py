#!/usr/bin/env python3
# tags_many.py: writes tests/data/tags_many.pb.gz, more label values and keys than the web UI's label panel lists (/ui/tags shows each key's 50 heaviest values, 100 keys): span s000..s119 of weights 1..120 (s119 heaviest), each sample also with zone z0, z1 or z2 (by span number mod 3); then one sample of weight 1 with keys zz000..zz104, each of value v.
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, msg, strlabel, varint, write_gz  # noqa: E402

strings = ["", "samples", "count", "main.f", "f.go", "span", "zone", "z0", "z1", "z2"]
spans = ["s%03d" % i for i in range(120)]
extra = ["zz%03d" % i for i in range(105)]
strings += spans + extra + ["v"]
S = {s: i for i, s in enumerate(strings)}
prof = bytearray()
prof += field(1, 2, msg(field(1, 0, S["samples"]), field(2, 0, S["count"])))
for i, v in enumerate(spans):
    labels = strlabel(S, "span", v) + strlabel(S, "zone", "z%d" % (i % 3))
    prof += field(2, 2, msg(field(1, 2, varint(1)), field(2, 2, varint(i + 1)), labels))
prof += field(2, 2, msg(field(1, 2, varint(1)), field(2, 2, varint(1)), b"".join(strlabel(S, k, "v") for k in extra)))
prof += field(4, 2, msg(field(1, 0, 1), field(4, 2, msg(field(1, 0, 1), field(2, 0, 10)))))
prof += field(5, 2, msg(field(1, 0, 1), field(2, 0, S["main.f"]), field(3, 0, S["main.f"]), field(4, 0, S["f.go"])))
for s in strings:
    prof += field(6, 2, s.encode())
write_gz(sys.argv[1] if len(sys.argv) > 1 else "tags_many.pb.gz", prof)
