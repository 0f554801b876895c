#!/usr/bin/env python3
# stacks_pb.py: writes a gzipped profile.proto from a small text description, for fixtures go tool pprof must read too.
#
# Usage: stacks_pb.py DESCRIPTION OUT.pb.gz
# Description lines (# starts a comment):
#   sample_type TYPE UNIT          one per value column, in order
#   period_type TYPE UNIT          and `period N`
#   duration NS                    and `time NS`
#   mapping FILE                   the main binary's file name
#   file FUNC PATH                 the source file of FUNC (default FUNC.go)
#   stack V[,V...] ROOT;...;LEAF [KEY=VALUE ...]   one sample (values may be negative)
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import field, varint, write_gz  # noqa: E402

strings = [""]
index = {"": 0}
def S(s):
    if s not in index:
        index[s] = len(strings)
        strings.append(s)
    return index[s]

types, period_type, period, duration, time_ns, mapping = [], None, 0, 0, 0, "app"
files, samples = {}, []
for raw in open(sys.argv[1]):
    line = raw.split("#", 1)[0].split()
    if not line:
        continue
    kw, args = line[0], line[1:]
    if kw == "sample_type":
        types.append((args[0], args[1]))
    elif kw == "period_type":
        period_type = (args[0], args[1])
    elif kw == "period":
        period = int(args[0])
    elif kw == "duration":
        duration = int(args[0])
    elif kw == "time":
        time_ns = int(args[0])
    elif kw == "mapping":
        mapping = args[0]
    elif kw == "file":
        files[args[0]] = args[1]
    elif kw == "stack":
        values = [int(v) for v in args[0].split(",")]
        frames = args[1].split(";")
        labels = [a.split("=", 1) for a in args[2:]]
        samples.append((values, frames, labels))
    else:
        sys.exit("stacks_pb.py: unknown line: " + raw)

prof = bytearray()
for t, u in types:
    prof += field(1, 2, field(1, 0, S(t)) + field(2, 0, S(u)))
funcs, locs = {}, {}
for values, frames, labels in samples:
    ids = []
    for f in reversed(frames):  # leaf first
        if f not in funcs:
            funcs[f] = len(funcs) + 1
        if f not in locs:
            locs[f] = len(locs) + 1
        ids.append(locs[f])
    body = field(1, 2, b"".join(varint(i) for i in ids))
    body += field(2, 2, b"".join(varint(v) for v in values))
    for k, v in labels:
        body += field(3, 2, field(1, 0, S(k)) + field(2, 0, S(v)))
    prof += field(2, 2, body)
prof += field(3, 2, field(1, 0, 1) + field(2, 0, 0x400000) + field(3, 0, 0x500000) + field(5, 0, S(mapping)) +
              field(7, 0, 1))
for f, lid in locs.items():
    line = field(1, 0, funcs[f]) + field(2, 0, 10 + funcs[f])
    prof += field(4, 2, field(1, 0, lid) + field(2, 0, 1) + field(3, 0, 0x400000 + 16 * lid) + field(4, 2, line))
for f, fid in funcs.items():
    prof += field(5, 2, field(1, 0, fid) + field(2, 0, S(f)) + field(3, 0, S(f)) +
                  field(4, 0, S(files.get(f, f.split(".")[-1] + ".go"))) + field(5, 0, 1))
if time_ns:
    prof += field(9, 0, time_ns)
if duration:
    prof += field(10, 0, duration)
if period_type:
    prof += field(11, 2, field(1, 0, S(period_type[0])) + field(2, 0, S(period_type[1])))
if period:
    prof += field(12, 0, period)
body = bytearray()
for s in strings:
    body += field(6, 2, s.encode())
write_gz(sys.argv[2], body + prof)
