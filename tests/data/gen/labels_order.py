#!/usr/bin/env python3
# labels_order.py: writes tests/data/labels_order.pb.gz, one sample with string and numeric labels whose keys are shorter, as long as and longer than 10 characters (pprof -traces sorts the padded lines).
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, msg, strlabel, numlabel, varint, write_gz  # noqa: E402

strings = ["", "samples", "count", "main.f", "f.go", "endpoint", "a_very_long_key", "zz", "bytes", "/search", "x", "y", "abcdefghij", "k9"]
S = {s: i for i, s in enumerate(strings)}
prof = bytearray()
prof += field(1, 2, msg(field(1, 0, S["samples"]), field(2, 0, S["count"])))
labels = strlabel(S, "endpoint", "/search") + strlabel(S, "a_very_long_key", "x") + strlabel(S, "zz", "y") + \
         strlabel(S, "abcdefghij", "x") + numlabel(S, "bytes", 2048) + numlabel(S, "k9", 5) + numlabel(S, "a_very_long_key", 7)
prof += field(2, 2, msg(field(1, 2, varint(1)), field(2, 2, varint(3)), labels))
prof += field(4, 2, msg(field(1, 0, 1), field(4, 2, msg(field(1, 0, 1), field(2, 0, 10)))))
prof += field(5, 2, msg(field(1, 0, 1), field(2, 0, S["main.f"]), field(3, 0, S["main.f"]), field(4, 0, S["f.go"])))
for s in strings:
    prof += field(6, 2, s.encode())
write_gz(sys.argv[1] if len(sys.argv) > 1 else "labels_order.pb.gz", prof)
