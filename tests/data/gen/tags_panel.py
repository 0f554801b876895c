#!/usr/bin/env python3
# tags_panel.py: writes tests/data/tags_panel.pb.gz, labelled samples for the web UI's label panel (/ui/tags): values with regexp and HTML specials, one value under two keys, equal weights (ordered by text), a key with string and numeric values, numbers repeated across samples (summed).
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, msg, strlabel, numlabel, varint, write_gz  # noqa: E402

strings = ["", "samples", "count", "main.f", "f.go", "route", "zone", "mixed", "bytes",
           "/a.b", "x<y&z", "(q)+", "b", "a", "s"]
S = {s: i for i, s in enumerate(strings)}
prof = bytearray()
prof += field(1, 2, msg(field(1, 0, S["samples"]), field(2, 0, S["count"])))
def sample(value, labels):
    return field(2, 2, msg(field(1, 2, varint(1)), field(2, 2, varint(value)), labels))
prof += sample(9, strlabel(S, "route", "/a.b") + strlabel(S, "zone", "b") + numlabel(S, "bytes", 2048))
prof += sample(4, strlabel(S, "route", "x<y&z") + strlabel(S, "zone", "/a.b") + numlabel(S, "bytes", 16))
prof += sample(3, strlabel(S, "route", "b") + numlabel(S, "bytes", 2048) + strlabel(S, "mixed", "s"))
prof += sample(3, strlabel(S, "route", "a") + numlabel(S, "mixed", 5))
prof += sample(2, strlabel(S, "route", "(q)+") + strlabel(S, "zone", "b"))
prof += field(4, 2, msg(field(1, 0, 1), field(4, 2, msg(field(1, 0, 1), field(2, 0, 10)))))
prof += field(5, 2, msg(field(1, 0, 1), field(2, 0, S["main.f"]), field(3, 0, S["main.f"]), field(4, 0, S["f.go"])))
for s in strings:
    prof += field(6, 2, s.encode())
write_gz(sys.argv[1] if len(sys.argv) > 1 else "tags_panel.pb.gz", prof)
