# find_chromium.sh: sourced by the browser tests; find_chromium keeps $CHROMIUM when set, else sets it to chromium or chromium-browser from PATH. POSIX sh.
#
# Returns 1 (CHROMIUM empty) when there is no browser: each caller says
# itself whether that skips or fails its suite.
find_chromium() {
	if [ -z "${CHROMIUM:-}" ]; then
		for c in chromium chromium-browser; do
			if command -v "$c" >/dev/null 2>&1; then
				CHROMIUM=$c
				break
			fi
		done
	fi
	[ -n "${CHROMIUM:-}" ]
}
