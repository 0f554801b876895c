# canon_callgrind.awk: prints a callgrind file written by pprof in a form that does not depend on the order of its nodes (for call trees whose tie order go tool pprof leaves to chance).
#
# Compressed names "(N) name" / "(N)" are expanded, relative addresses
# ("+N", "-N", "*", each relative to the previous cost line) made absolute,
# and the " [i/n]" pprof appends to tell call-tree nodes apart becomes
# " [*/n]"; every cost line and call becomes one self-contained line, to be
# sorted by the caller. POSIX awk.

function hexval(s,    i, c, v) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}

# An address field relative to base.
function addr(a, base) {
	if (a == "*") return base
	if (a ~ /^0x/) return hexval(a)
	return base + a
}

# Expands a compressed name in table t ("fn" for fn and cfn, "fl" for fl and cfl).
function name(t, v,    id, rest) {
	if (v !~ /^\([0-9]+\)/) return v
	id = v
	sub(/\).*/, "", id)
	sub(/^\(/, "", id)
	rest = v
	sub(/^\([0-9]+\) ?/, "", rest)
	if (rest != "") names[t, id] = rest
	rest = names[t, id]
	sub(/ \[[0-9]+\//, " [*/", rest)
	return rest
}

/^(positions|events):/ { print "HEADER " $0; next }
/^$/ { next }
/^ob=/ { ob = name("ob", substr($0, 4)); next }
/^fl=/ { fl = name("fl", substr($0, 4)); next }
/^fn=/ { fn = name("fn", substr($0, 4)); next }
/^cfl=/ { cfl = name("fl", substr($0, 5)); next }
/^cfn=/ { cfn = name("fn", substr($0, 5)); next }
/^calls=/ { split($0, c, " "); callat = addr(c[2], callbase); callline = c[3]; incall = 1; next }
incall { printf "CALL %s|%s|%s|%.0f|%s -> %s|%s|%.0f|%s weight %s\n", ob, fl, fn, cur, line, cfl, cfn, callat, callline, $3; incall = 0; next }
{
	callbase = prev
	cur = addr($1, prev)
	prev = cur
	line = $2
	printf "COST %s|%s|%s|%.0f|%s %s\n", ob, fl, fn, cur, line, $3
}
