# canon_dot.awk: prints a DOT graph written by pprof in a form that does not depend on node numbering (for graphs whose tie order go tool pprof leaves to chance).
#
# Every node is named by its own line (label, size, colours, tooltip) instead
# of its number; edges and tag nodelets are named by their nodes; the result
# is sorted by the caller. Two graphs with the same nodes, labels, edges and
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
pass == 1 { next }

# Nodelets: N3_0 / NN3_0 / NN3_0_1 boxes, and the edges that lead to them.
/^N+[0-9]+_[0-9_]+ \[label = "/ {
	owner = $1
	sub(/^N+/, "N", owner)
	sub(/_.*/, "", owner)
	line = $0
	path = $1
	sub(/^N+[0-9]+/, "", path)
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
	path = $3
	sub(/^N+[0-9]+/, "", path)
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
