# collapse_raw.awk: pprof -raw output of a perf.data profile collapsed like collapse_perf.awk:
# "event;comm;pid;tid;root;...;leaf count" per distinct stack, frames as hex addresses without 0x
# (callers moved forward one byte again onto perf's return addresses). col=N picks the value
# column (0-based) and ev names the event printed. rel=1 prints user-space addresses relative to
# their object (address - start + file offset) as perf script prints callchains.
BEGIN { if (ev == "") ev = "-"; if (col == "") col = 0 }
/^Samples:/ { state = "types"; next }
state == "types" { state = "samples"; next }
/^Locations/ { state = "locs"; next }
/^Mappings/ { state = "maps"; next }
state == "samples" && /^ *[0-9-]+( +[0-9-]+)*:/ {
    ns++
    line = $0; sub(/^ */, "", line)
    split(line, halves, ":")
    nv = split(halves[1], vals, " ")
    val[ns] = vals[col + 1]
    stk[ns] = halves[2]
    next
}
state == "samples" && /comm:\[/ { c = $0; sub(/.*comm:\[/, "", c); sub(/\].*/, "", c); comm[ns] = c; next }
state == "samples" && /pid:\[/ {
    p = $0; sub(/.*pid:\[/, "", p); sub(/\].*/, "", p); pid[ns] = p
    t = $0; sub(/.*tid:\[/, "", t); sub(/\].*/, "", t); tid[ns] = t
    next
}
state == "locs" && /^ *[0-9]+: 0x/ {
    id = $1; sub(/:/, "", id); a = $2; sub(/^0x/, "", a); addr[id] = a
    m = $3; sub(/^M=/, "", m); lmap[id] = m
    next
}
state == "maps" && /^[0-9]+: 0x/ {
    id = $1; sub(/:/, "", id); split($2, r, "/")
    mstart[id] = r[1]; moff[id] = r[3]
    next
}
END {
    for (s = 1; s <= ns; s++) {
        if (val[s] == 0) continue
        nf = split(stk[s], ids, " ")
        key = ev ";" comm[s] ";" pid[s] ";" tid[s]
        for (k = nf; k >= 1; k--) {
            a = addr[ids[k]]
            if (k > 1) a = inc(a)
            m = lmap[ids[k]]
            if (rel && m != "" && mstart[m] != moff[m])
                a = tohex(fromhex(a) - fromhex(mstart[m]) + fromhex(moff[m]))
            key = key ";" a
        }
        sum[key] += val[s]
    }
    for (k in sum) print k, sum[k]
}
# adds one to a hex number of up to 16 digits, as text
function inc(h,   i, d, c, out, digits) {
    digits = "0123456789abcdef"
    out = ""; c = 1
    for (i = length(h); i >= 1; i--) {
        d = index(digits, substr(h, i, 1)) - 1 + c
        c = d >= 16; if (c) d -= 16
        out = substr(digits, d + 1, 1) out
    }
    if (c) out = "1" out
    return out
}

# hex text <-> number, exact below 2^53 (user-space addresses)
function fromhex(h,   i, v) {
    sub(/^0x/, "", h); v = 0
    for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
    return v
}
function tohex(v,   out, d) {
    out = ""
    while (v > 0) { d = v % 16; out = substr("0123456789abcdef", d + 1, 1) out; v = (v - d) / 16 }
    return out == "" ? "0" : out
}
