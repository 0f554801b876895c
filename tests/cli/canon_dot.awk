# canon_dot.awk: prints a DOT graph written by pprof in a form that does not depend on node numbering (for graphs whose tie order go tool pprof leaves to chance).
#
# Every node is named by its own line (label, size, colours, tooltip) instead
# of its number; edges and tag nodelets are named by their nodes, a nodelet
# by its label (under its label tag's for a numeric one), not by its place
# among the node's tags, which go leaves to chance for tags of equal
# magnitude and opposite sign; the result is sorted by the caller. Two graphs with the same nodes, labels, edges and
# nodelets give the same lines whatever order or numbers they were given.
# POSIX awk; reads the file twice (pass it twice: awk -f canon_dot.awk F F).

FNR == 1 { pass++ }

# N12 [label="..." id="node12" ...]
pass == 1 && /^N[0-9]+ \[label="/ {
	id = $1
	line = $0
	sub(/^N[0-9]+ /, "", line)
	sub(/ id="node[0-9]+"/, "", line)
	canon[id] = line
	next
}
# Nodelets: NN3_0 [label = "32kB" ...]
pass == 1 && /^N+[0-9]+_[0-9_]+ \[label = "/ {
	l = $0
	sub(/^[^"]*"/, "", l)
	sub(/".*/, "", l)
	nlabel[$1] = l
	next
}
pass == 1 { next }

# The order-free path of nodelet id: L{label} for a label tag (N3_0),
# N{value} for a numeric one (NN3_0), L{label}N{value} under a label tag
# (NN3_0_1 under N3_0).
function npath(id,    parent) {
	if (id ~ /^N[0-9]+_[0-9]+$/)
		return "L{" nlabel[id] "}"
	if (id ~ /^NN[0-9]+_[0-9]+$/)
		return "N{" nlabel[id] "}"
	parent = substr(id, 2)
	sub(/_[0-9]+$/, "", parent)
	return "L{" nlabel[parent] "}N{" nlabel[id] "}"
}

# Nodelets: N3_0 / NN3_0 / NN3_0_1 boxes, and the edges that lead to them.
/^N+[0-9]+_[0-9_]+ \[label = "/ {
	owner = $1
	sub(/^N+/, "N", owner)
	sub(/_.*/, "", owner)
	line = $0
	path = npath($1)
	gsub(/id="N+[0-9]+_[0-9_]+"/, "", line)
	sub(/^N+[0-9]+_[0-9_]+ /, "", line)
	print "NODELET " canon[owner] " " path " " line
	next
}
/^N+[0-9]+(_[0-9]+)* -> N+[0-9]+_[0-9_]+ \[/ {
	owner = $1
	sub(/^N+/, "N", owner)
	sub(/_.*/, "", owner)
	line = $0
	path = npath($3)
	if ($1 ~ /_/)
		path = npath($1) " -> " path
	sub(/^[^[]*/, "", line)
	print "NODELET-EDGE " canon[owner] " " path " " line
	next
}
/^N[0-9]+ -> N[0-9]+ \[/ {
	line = $0
	sub(/^[^[]*/, "", line)
	print "EDGE " canon[$1] " -> " canon[$3] " " line
	next
}
/^N[0-9]+ \[label="/ {
	print "NODE " canon[$1]
	next
}
{ print "OTHER " $0 }
