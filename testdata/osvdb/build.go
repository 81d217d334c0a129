//go:build ignore

// build.go writes the trimmed OSV subset in this directory from the shared
// OSV database (see README.md):
//
//	go run ./testdata/osvdb/build.go -src ../shared/osvdb -out testdata/osvdb
//
// Zips are deterministic: entries sorted by name, time 1980-01-01, deflate
// level 9, mode 0644, record bytes copied unchanged. The IDs written are
// listed in IDS.txt.
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// pep503 normalises PyPI names.
var pep503 = regexp.MustCompile(`[-_.]+`)

// selection says, per ecosystem, which records to keep.
var selection = map[string]func(id string, names []string) bool{
	"npm":   func(string, []string) bool { return true },
	"Maven": func(string, []string) bool { return true },
	"PyPI": anyName(func(n string) bool {
		n = strings.ToLower(pep503.ReplaceAllString(n, "-"))
		return slices.Contains([]string{"requests", "urllib3", "jinja2", "pyyaml", "werkzeug",
			"sqlparse", "pyjwt", "certifi", "idna", "markupsafe"}, n)
	}),
	"Go": func(id string, names []string) bool {
		return slices.Contains(stdlibIDs, id) || slices.ContainsFunc(names, func(n string) bool {
			return n == "golang.org/x/text" || n == "golang.org/x/net" || n == "github.com/tidwall/gjson" ||
				n == "github.com/golang-jwt/jwt" || strings.HasPrefix(n, "github.com/golang-jwt/jwt/")
		})
	},
	"crates.io": anyName(func(n string) bool { return n == "smallvec" || n == "time" }),
}

// stdlibIDs are Go standard library records affecting go1.26.0 (4599, 4600,
// 4866), go1.21.x (2025-4155, 2025-4175, 2026-4337) or both; none affects
// go1.26.8.
var stdlibIDs = []string{
	"GO-2025-4155", "GO-2025-4175", "GO-2026-4337", "GO-2026-4599", "GO-2026-4600",
	"GO-2026-4601", "GO-2026-4864", "GO-2026-4866", "GO-2026-6088", "GO-2026-6218",
}

func anyName(f func(string) bool) func(string, []string) bool {
	return func(_ string, names []string) bool { return slices.ContainsFunc(names, f) }
}

type record struct {
	ID       string `json:"id"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

func main() {
	src := flag.String("src", "../shared/osvdb", "shared OSV database")
	out := flag.String("out", "testdata/osvdb", "output directory")
	flag.Parse()
	var ids []string
	for _, eco := range slices.Sorted(func(yield func(string) bool) {
		for k := range selection {
			if !yield(k) {
				return
			}
		}
	}) {
		got, err := trim(filepath.Join(*src, eco, "all.zip"), filepath.Join(*out, eco, "all.zip"), selection[eco])
		if err != nil {
			log.Fatal(err)
		}
		for _, id := range got {
			ids = append(ids, eco+"\t"+id)
		}
	}
	if err := os.WriteFile(filepath.Join(*out, "IDS.txt"), []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}

// trim copies the selected records of the zip at from into a new zip at to.
func trim(from, to string, keep func(string, []string) bool) ([]string, error) {
	zr, err := zip.OpenReader(from)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	files := map[string][]byte{}
	var ids []string
	for _, f := range zr.File {
		data, err := read(f)
		if err != nil {
			return nil, err
		}
		var r record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", from, f.Name, err)
		}
		var names []string
		for _, a := range r.Affected {
			names = append(names, a.Package.Name)
		}
		if keep(r.ID, names) {
			files[f.Name] = data
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids, write(to, files)
}

func read(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// write writes a deterministic zip.
func write(path string, files map[string][]byte) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	stamp := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(files[name]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
