#!/usr/bin/env python3
# mean_min.py: writes tests/data/mean_min.pb.gz, a profile whose samples make -mean divide INT64_MIN by -1 (the one int64 quotient that traps).
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, msg, varint, write_gz  # noqa: E402

strings = ["", "count", "n", "value", "bytes", "main.f", "f.go", "main.g", "k", "v", "w"]
S = {s: i for i, s in enumerate(strings)}
prof = bytearray()
for t, u in (("count", "n"), ("value", "bytes")):
    prof += field(1, 2, msg(field(1, 0, S[t]), field(2, 0, S[u])))
# count -1 with value INT64_MIN (label k=v, so -tagfocus=k=v isolates it);
# then ordinary samples, one with count 0.
samples = [([1], [-1, -(1 << 63)], "v"), ([2, 1], [2, 10], "w"), ([2, 1], [0, 7], "w"), ([1], [-1, 5], "w")]
for locs, vals, lv in samples:
    prof += field(2, 2, msg(field(1, 2, b"".join(varint(l) for l in locs)),
                            field(2, 2, b"".join(varint(v) for v in vals)),
                            field(3, 2, msg(field(1, 0, S["k"]), field(2, 0, S[lv])))))
for lid, fid in ((1, 1), (2, 2)):
    prof += field(4, 2, msg(field(1, 0, lid), field(4, 2, msg(field(1, 0, fid), field(2, 0, 10 * lid)))))
for fid, name in ((1, "main.f"), (2, "main.g")):
    prof += field(5, 2, msg(field(1, 0, fid), field(2, 0, S[name]), field(3, 0, S[name]), field(4, 0, S["f.go"])))
for s in strings:
    prof += field(6, 2, s.encode())
write_gz(sys.argv[1] if len(sys.argv) > 1 else "mean_min.pb.gz", prof)
