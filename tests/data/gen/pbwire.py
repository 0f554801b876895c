# pbwire.py: the protobuf wire encoding the fixture generators share (varints, fields, gzip without a timestamp, so fixtures are reproducible).
import gzip


def varint(n):
    """n as a base-128 varint; negative numbers as their 64-bit two's complement."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    """Field num: wire 0 takes an int, wire 2 bytes (length-delimited)."""
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def msg(*parts):
    return b"".join(parts)


def strlabel(S, k, v):
    """A Sample.label with string value: key and value by their indices in S."""
    return field(3, 2, msg(field(1, 0, S[k]), field(2, 0, S[v])))


def numlabel(S, k, n):
    """A Sample.label with numeric value n: key by its index in S."""
    return field(3, 2, msg(field(1, 0, S[k]), field(3, 0, n)))


def write_gz(path, data):
    with open(path, "wb") as f:
        f.write(gzip.compress(bytes(data), mtime=0))
