#!/usr/bin/env python3
# nofile.py: writes tests/data/nofile.pb.gz, as profilers of other runtimes write them: functions without a file name in a mapped binary (/usr/bin/server), one with a file (-files names the first by its mapping, [server]).
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, msg, varint, write_gz  # noqa: E402

strings = ["", "samples", "count", "(program)", "handler", "/usr/bin/server", "app.js", "(garbage collector)"]
S = {s: i for i, s in enumerate(strings)}
prof = bytearray()
prof += field(1, 2, msg(field(1, 0, S["samples"]), field(2, 0, S["count"])))
for locs, v in (([1], 5), ([2, 1], 3), ([3], 2)):
    prof += field(2, 2, msg(field(1, 2, b"".join(varint(l) for l in locs)), field(2, 2, varint(v))))
# mapping 1: /usr/bin/server, 0x1000-0x9000
prof += field(3, 2, msg(field(1, 0, 1), field(2, 0, 0x1000), field(3, 0, 0x9000), field(5, 0, S["/usr/bin/server"]),
                        field(7, 0, 1), field(8, 0, 1)))
for lid, fid, addr in ((1, 1, 0x1100), (2, 2, 0x1200), (3, 3, 0x1300)):
    prof += field(4, 2, msg(field(1, 0, lid), field(2, 0, 1), field(3, 0, addr),
                            field(4, 2, msg(field(1, 0, fid), field(2, 0, 10 * lid)))))
for fid, name, fname in ((1, "(program)", ""), (2, "handler", "app.js"), (3, "(garbage collector)", "")):
    prof += field(5, 2, msg(field(1, 0, fid), field(2, 0, S[name]), field(3, 0, S[name]), field(4, 0, S[fname])))
for s in strings:
    prof += field(6, 2, s.encode())
write_gz(sys.argv[1] if len(sys.argv) > 1 else "nofile.pb.gz", prof)
