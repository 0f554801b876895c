#!/bin/sh
# samples.sh: what a gperftools CPU profile holds, per function and line, read from the profile itself with od, readelf and addr2line, never by the pprof under test.
#
# Usage: sh samples.sh PROFILE DIR
# Only frames in files under DIR (the tests' own binaries) are named. Prints
#   total N          samples in the profile
#   cum N NAME       samples with NAME anywhere in the stack (inlined frames
#                    too; each sample counted once)
#   flat N NAME      samples with NAME as the leaf's innermost frame
#   line N FILE:LINE samples whose leaf location has a frame at that line
#                    (FILE its base name)
# NAME as addr2line -C names it. The format (gperftools', not profile.proto):
# machine words, a header (0, 3, 0, period in us, 0), then per stack its
# count, its depth and its PCs (leaf first, then return addresses), ended by
# 0, 1, 0; then /proc/self/maps. The stacks are taken as pprof takes them
# (go's legacy_profile.go): callers at PC-1, a second frame common to nearly
# all stacks dropped (up to twice), a second frame repeating the leaf dropped.
set -u
prof=$1 dir=$2
[ -s "$prof" ] || { echo "samples.sh: no profile $prof" >&2; exit 2; }
od -An -v -t x8 -w8 "$prof" | awk -v prof="$prof" -v dir="$dir/" '
function num(h,  i, n) {
	n = 0
	for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
	return n
}
function hex(n,  s, d) {
	s = ""
	do { d = n % 16; s = substr("0123456789abcdef", d + 1, 1) s; n = (n - d) / 16 } while (n > 0)
	return s
}
# stack[s], split into w[1..n], without its second frame
function drop_second(s, n,  i, cur) {
	cur = w[1] " " w[2]
	for (i = 4; i <= n; i++) cur = cur " " w[i]
	stack[s] = cur
}
function q(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
# The header, then the stacks: "count pc pc ..." in stack[], up to the trailer.
NR <= 5 { if (NR == 2 && num($1) != 3) { print "samples.sh: " prof ": not a gperftools CPU profile" >"/dev/stderr"; bad = 1; exit } next }
state == 0 { count = num($1); state = 1; next }
state == 1 { depth = num($1); if (count == 0 && depth == 1) { state = 3; next } cur = count; got = 0; state = 2; if (depth == 0) state = 0; next }
state == 2 { cur = cur " " $1; if (++got == depth) { stack[++nstack] = cur; state = 0 } next }
state == 3 { words = NR; exit }
END {
	if (bad) exit 2
	if (!words) { print "samples.sh: " prof ": no end of the stacks" >"/dev/stderr"; exit 2 }
	# The executable mappings of files under dir: start, end, file offset.
	cmd = "tail -c +" (words * 8 + 1) " " q(prof)
	while ((cmd | getline l) > 0) {
		split(l, f, " ")
		if (substr(f[2], 3, 1) != "x" || index(f[6], dir) != 1) continue
		split(f[1], r, "-")
		nmap++; mstart[nmap] = num(r[1]); mend[nmap] = num(r[2]); moff[nmap] = num(f[3]); mfile[nmap] = f[6]
	}
	close(cmd)
	# Each file: its LOAD segments (offset, vaddr), for an address in the file.
	for (m = 1; m <= nmap; m++) {
		if (mfile[m] in nseg) continue
		nseg[mfile[m]] = 0
		cmd = "readelf -lW " q(mfile[m])
		while ((cmd | getline l) > 0) {
			if (split(l, f, " ") < 3 || f[1] != "LOAD") continue
			k = ++nseg[mfile[m]]
			soff[mfile[m], k] = num(substr(f[2], 3)); svaddr[mfile[m], k] = num(substr(f[3], 3))
		}
		close(cmd)
	}
	# Each stack as pprof reads it: "count leaf caller ...", the callers at
	# PC-1 (the call). When all stacks but 1 in 32 have the same second frame,
	# pprof takes it for a frame of the signal handler and drops it, twice at most
	# (stacks that all pass through one call site lose it, whatever the
	# caller); then a second frame that repeats the leaf goes.
	for (s = 1; s <= nstack; s++) {
		n = split(stack[s], w, " ")
		cur = w[1] " " hex(num(w[2]))
		for (i = 3; i <= n; i++) cur = cur " " hex(num(w[i]) - 1)
		stack[s] = cur
	}
	for (iter = 0; iter < 2; iter++) {
		split("", second)
		for (s = 1; s <= nstack; s++) if (split(stack[s], w, " ") > 2) second[w[3]]++
		for (a in second) {
			if (second[a] < nstack - int(nstack / 32)) continue
			for (s = 1; s <= nstack; s++) {
				n = split(stack[s], w, " ")
				if (n >= 3 && w[3] == a) drop_second(s, n)
			}
			break
		}
	}
	for (s = 1; s <= nstack; s++) {
		n = split(stack[s], w, " ")
		if (n >= 3 && num(w[2]) == num(w[3]) + 1) drop_second(s, n)
	}
	# Every address to FILE and address in it.
	for (s = 1; s <= nstack; s++) {
		n = split(stack[s], w, " ")
		for (i = 2; i <= n; i++) {
			key = w[i]
			if (key in where) continue
			where[key] = ""
			pc = num(key)
			for (m = 1; m <= nmap; m++) {
				if (pc < mstart[m] || pc >= mend[m]) continue
				file = mfile[m]; off = pc - mstart[m] + moff[m]; best = 0
				for (k = 1; k <= nseg[file]; k++)
					if (soff[file, k] - soff[file, k] % 4096 <= off && (best == 0 || soff[file, k] > soff[file, best])) best = k
				if (best == 0) break
				a = hex(off - soff[file, best] + svaddr[file, best])
				where[key] = file SUBSEP a
				addrs[file] = addrs[file] " 0x" a
				break
			}
		}
	}
	# addr2line: per address, its frames innermost first (name, file:line).
	for (file in addrs) {
		cmd = "addr2line -f -i -C -a -e " q(file) addrs[file]
		a = ""
		while ((cmd | getline l) > 0) {
			if (l ~ /^0x[0-9a-f]+$/) { a = hex(num(substr(l, 3))); nfr[file, a] = 0; fn = ""; continue }
			if (fn == "") { fn = l; continue }
			sub(/ \(discriminator [0-9]+\)$/, "", l)
			k = ++nfr[file, a]; frname[file, a, k] = fn; nb = split(l, pth, "/"); frline[file, a, k] = pth[nb]; fn = ""
		}
		close(cmd)
	}
	for (s = 1; s <= nstack; s++) {
		n = split(stack[s], w, " ")
		c = w[1]
		total += c
		split("", seen)
		for (i = 2; i <= n; i++) {
			key = w[i]
			if (where[key] == "") continue
			for (k = 1; k <= nfr[where[key]]; k++) {
				name = frname[where[key], k]
				if (name != "??" && !(name in seen)) { seen[name] = 1; cum[name] += c }
				if (i == 2) {
					if (k == 1 && name != "??") flat[name] += c
					if (frline[where[key], k] !~ /^\?\?:/) line[frline[where[key], k]] += c
				}
			}
		}
	}
	print "total", total
	for (name in cum) print "cum", cum[name], name
	for (name in flat) print "flat", flat[name], name
	for (l in line) print "line", line[l], l
}'
