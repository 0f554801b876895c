# collapse_perf.awk: perf script output (-F event,comm,pid,tid,ip,dso or -F comm,pid,tid,ip,dso)
# collapsed as perf's stackcollapse does: one "event;comm;pid;tid;root;...;leaf count" line per
# distinct stack. Frames are raw addresses (hex, no 0x); callers outside every mapping ("[unknown]"
# object) are left out, as pprof's perf.data reader leaves them out. Set sym=1 to collapse
# "ip<TAB>sym" lines instead (prints "ip sym" pairs, one per line, for a symbol table).
function flush(   k, key) {
    if (n == 0 && head == "") return
    key = head
    for (k = n; k >= 1; k--) key = key ";" fr[k]
    if (head != "") count[key]++
    n = 0; head = ""
}
/^[ \t]*$/ { flush(); next }
/^\t/ || /^ +[0-9a-f]+ / {
    # a callchain line: ip [sym] (dso)
    ip = $1; dso = $NF
    if (dso == "([unknown])" && n > 0) next
    if (dso == "([unknown])" && seen_leaf) next
    fr[++n] = ip
    next
}
{
    flush()
    ev = "-"; pid = ""; tid = ""; comm = ""
    for (i = 1; i <= NF; i++) {
        if ($i ~ /^[0-9]+\/[0-9]+$/ && pid == "") {
            split($i, pt, "/"); pid = pt[1]; tid = pt[2]
            comm = $1; for (j = 2; j < i; j++) comm = comm " " $j
        } else if ($i ~ /:$/ && pid != "") ev = substr($i, 1, length($i) - 1)
    }
    head = ev ";" comm ";" pid ";" tid
    # no callchain: "... ip (dso)" on the same line
    if ($NF ~ /^\(.*\)$/ && NF >= 2 && $(NF-1) ~ /^[0-9a-f]+$/) { fr[++n] = $(NF-1) }
}
END { flush(); for (k in count) print k, count[k] }
