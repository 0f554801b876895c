// service: a small Go HTTP service with several kinds of work, run under one
// load mix and profiled through net/http/pprof on 127.0.0.1, to make the real
// diff pairs of tests/data/service/ (make_service.sh beside this file runs it).
//
// Usage: go run main.go -mix=a|b -out=DIR -seconds=N
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

type record struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
}

var keep [][]byte
var keepMu sync.Mutex

func makeRecords(n int, r *rand.Rand) []record {
	out := make([]record, n)
	for i := range out {
		out[i] = record{ID: r.Int(), Name: fmt.Sprintf("item-%d", r.Intn(1e6)),
			Tags: []string{"x", "y", fmt.Sprint(i)}, Attrs: map[string]string{"k": strings.Repeat("v", i%17)}}
	}
	return out
}

func handleJSON(w http.ResponseWriter, req *http.Request) {
	r := rand.New(rand.NewSource(1))
	recs := makeRecords(200, r)
	b, _ := json.Marshal(recs)
	var back []record
	_ = json.Unmarshal(b, &back)
	w.Write(b[:16])
}

var wordRe = regexp.MustCompile(`([a-z]+)-([0-9]+)`)

func handleRegexp(w http.ResponseWriter, req *http.Request) {
	var sb strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&sb, "word-%d other-%d ", i, i*7)
	}
	n := len(wordRe.FindAllStringSubmatch(sb.String(), -1))
	fmt.Fprint(w, n)
}

func handleHash(w http.ResponseWriter, req *http.Request) {
	buf := make([]byte, 64<<10)
	for i := range buf {
		buf[i] = byte(i)
	}
	var sum [32]byte
	for i := 0; i < 20; i++ {
		sum = sha256.Sum256(buf)
		buf[0] = sum[0]
	}
	fmt.Fprintf(w, "%x", sum[:4])
}

func handleGzip(w http.ResponseWriter, req *http.Request) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(z, "line %d of a compressible text\n", i%50)
	}
	z.Close()
	zr, _ := gzip.NewReader(&b)
	n, _ := io.Copy(io.Discard, zr)
	fmt.Fprint(w, n)
}

func handleSort(w http.ResponseWriter, req *http.Request) {
	r := rand.New(rand.NewSource(2))
	xs := make([]string, 5000)
	for i := range xs {
		xs[i] = fmt.Sprintf("%08x", r.Uint32())
	}
	sort.Strings(xs)
	keepMu.Lock()
	keep = append(keep, []byte(xs[0]))
	if len(keep) > 5000 {
		keep = keep[:0]
	}
	keepMu.Unlock()
	fmt.Fprint(w, xs[0])
}

func handleCache(w http.ResponseWriter, req *http.Request) {
	b := make([]byte, 32<<10)
	keepMu.Lock()
	keep = append(keep, b)
	if len(keep) > 400 {
		keep = keep[len(keep)-200:]
	}
	keepMu.Unlock()
	fmt.Fprint(w, len(b))
}

// label runs h with the pprof labels a graph shows as tag nodes.
func label(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		pprof.Do(req.Context(), pprof.Labels("handler", name), func(ctx context.Context) {
			h(w, req.WithContext(ctx))
		})
	}
}

var mixes = map[string]map[string]int{
	// weights per path: mix a is JSON and regexp heavy, b hash and gzip heavy.
	"a": {"/json": 6, "/regexp": 4, "/hash": 1, "/gzip": 1, "/sort": 2, "/cache": 3},
	"b": {"/json": 1, "/regexp": 1, "/hash": 5, "/gzip": 4, "/sort": 3, "/cache": 1},
}

func fetch(base, path, file string) {
	resp, err := http.Get(base + path)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		log.Fatalf("%s: %v %d", path, err, resp.StatusCode)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	mix := flag.String("mix", "a", "load mix: a or b")
	out := flag.String("out", ".", "output directory")
	seconds := flag.Int("seconds", 2, "CPU profile duration")
	flag.Parse()
	weights, ok := mixes[*mix]
	if !ok {
		log.Fatalf("unknown mix %q", *mix)
	}
	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(5)
	mux := http.DefaultServeMux
	mux.HandleFunc("/json", label("json", handleJSON))
	mux.HandleFunc("/regexp", label("regexp", handleRegexp))
	mux.HandleFunc("/hash", label("hash", handleHash))
	mux.HandleFunc("/gzip", label("gzip", handleGzip))
	mux.HandleFunc("/sort", label("sort", handleSort))
	mux.HandleFunc("/cache", label("cache", handleCache))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, mux)
	base := "http://" + ln.Addr().String()

	var paths []string
	for p, n := range weights {
		for i := 0; i < n; i++ {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(c)))
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(base + paths[r.Intn(len(paths))])
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}(c)
	}
	time.Sleep(300 * time.Millisecond)
	fetch(base, fmt.Sprintf("/debug/pprof/profile?seconds=%d", *seconds), filepath.Join(*out, "cpu-"+*mix+".pb.gz"))
	fetch(base, "/debug/pprof/heap", filepath.Join(*out, "heap-"+*mix+".pb.gz"))
	fetch(base, "/debug/pprof/mutex", filepath.Join(*out, "mutex-"+*mix+".pb.gz"))
	close(stop)
	wg.Wait()
}
