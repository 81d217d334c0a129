// Command imagegen writes a synthetic container image for fnaudit's image
// benchmark (bench/image.sh): a docker-archive tar, as `docker save` writes
// it (uncompressed layer blobs; -gzip for gzip blobs as a registry holds
// them), of about -size bytes, shaped like a Lambda function image built on
// Debian 12:
//
//   - layer 1, debian:12: /etc/os-release (a symlink to ../usr/lib/os-release,
//     as in the real image), merged-usr symlinks, /var/lib/dpkg/status listing
//     real Debian 12 packages at their real versions with their info/*.list,
//     *.md5sums and /usr/share/doc/<pkg>/copyright files, shared libraries and
//     binaries, apt lists and a cached .deb;
//   - layer 2, the runtimes: node, python3.11's standard library, the Lambda
//     runtime interface client, and npm's own node_modules;
//   - layer 3, /var/task/node_modules: npm packages (package.json with real
//     names; real versions first, then older releases of the same names nested
//     under another package, as npm installs duplicates), each with a
//     README, LICENSE, sources and sometimes a prebuilt .node binary, plus
//     typescript, which layer 6 deletes;
//   - layer 4, PyPI packages installed with `pip install -t /var/task`
//     (dist-info with METADATA and RECORD), further site-packages trees under
//     /opt/layer-N for older releases of the same names, and their .so files;
//   - layer 5, the function code and model weights (large files), filling the
//     image up to -size;
//   - layer 6, cleanup: whiteouts (apt lists made opaque, the cached .deb and
//     node_modules/typescript deleted) and a changed handler.
//
// File data is random (incompressible; text-like for sources and docs), from a
// seeded generator, so that an image is the same for the same -size and -seed.
// Most bytes are in medium (.so, .node, 64 KiB–4 MiB) and large (8–64 MiB)
// files, with many small files beside them. Package counts and file counts
// grow in proportion to -size (or to -count-size, which keeps the counts of a
// smaller image and puts the extra bytes into larger files): per 256 MiB, 80
// Debian packages (at most the embedded list's), 1000 npm and 100 PyPI
// packages.
//
// Layers are written to temporary files beside -out as they are generated,
// then copied into the archive by go-containerregistry's tarball.Write: memory
// stays small whatever the size. The last line on stdout is a JSON summary
// (bytes, files, and the distinct packages a scanner should find, by
// ecosystem).
//
//	go run ./bench/imagegen -size 1G -out /tmp/lambda-1g.tar
package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

//go:embed packages.tsv
var packagesTSV string

// Per 256 MiB of image.
const (
	unit        = 256 << 20
	debsPerUnit = 80
	npmPerUnit  = 1000
	pypiPerUnit = 100
)

// mtime is every entry's modification time, so that output is reproducible.
var mtime = time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)

func main() {
	sizeFlag := flag.String("size", "256M", "approximate size of the image archive (bytes, or with K, M, G)")
	out := flag.String("out", "", "image archive to write (docker-archive tar)")
	seed := flag.Uint64("seed", 1, "random seed")
	gz := flag.Bool("gzip", false, "gzip the layer blobs (default: uncompressed, as docker save writes them)")
	countFlag := flag.String("count-size", "", "scale package and file counts for an image of this size instead of -size; "+
		"the extra bytes go into larger medium and large files (to tell memory per byte from memory per file)")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil || size < 16<<20 {
		log.Fatalf("-size %q: need a size of at least 16M", *sizeFlag)
	}
	if *out == "" {
		log.Fatal("-out is required")
	}
	g := newGen(size, *seed, *gz, *out)
	if *countFlag != "" {
		if g.countSize, err = parseSize(*countFlag); err != nil || g.countSize < 16<<20 || g.countSize > size {
			log.Fatalf("-count-size %q: need a size between 16M and -size", *countFlag)
		}
	}
	sum, err := g.run()
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(sum)
	fmt.Println(string(b))
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseFloat(s, 64)
	return int64(n * float64(mult)), err
}

// summary is what imagegen prints when done.
type summary struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	Layers int    `json:"layers"`
	Files  int    `json:"files"`
	Debian int    `json:"debian"` // distinct packages a scanner should find
	Npm    int    `json:"npm"`
	PyPI   int    `json:"pypi"`
}

// pkgRef is a package name and version.
type pkgRef struct{ name, version string }

// debPkg is one dpkg status entry.
type debPkg struct {
	pkgRef
	arch, source, section, priority, instSize, maintainer, desc string
}

// sourceRef is the source package and version a binary package was built
// from ("Source: glibc" or "Source: util-linux (2.38.1-5)").
func (d debPkg) sourceRef() pkgRef {
	if d.source == "" {
		return d.pkgRef
	}
	name, version, ok := strings.Cut(d.source, " (")
	if !ok {
		return pkgRef{name, d.version}
	}
	return pkgRef{name, strings.TrimSuffix(version, ")")}
}

type gen struct {
	size int64
	// countSize is the image size package and file counts are scaled
	// for: size unless -count-size.
	countSize int64
	gz        bool
	out       string
	r         *rand.Rand    // decisions
	data      *rand.ChaCha8 // file contents
	debs      []debPkg
	npm       []pkgRef
	pypi      []pkgRef
	files     int
	done      int64 // blob bytes of the layers written so far
}

func newGen(size int64, seed uint64, gz bool, out string) *gen {
	var s [32]byte
	copy(s[:], fmt.Sprintf("imagegen-%d", seed))
	g := &gen{size: size, countSize: size, gz: gz, out: out, r: rand.New(rand.NewPCG(seed, 0x1a3bda)), data: rand.NewChaCha8(s)}
	for _, line := range strings.Split(packagesTSV, "\n") {
		f := strings.Split(line, "\t")
		switch {
		case len(f) == 10 && f[0] == "deb":
			g.debs = append(g.debs, debPkg{pkgRef{f[1], f[2]}, f[3], f[4], f[5], f[6], f[7], f[8], f[9]})
		case len(f) == 3 && f[0] == "npm" && f[1] != "typescript":
			g.npm = append(g.npm, pkgRef{f[1], f[2]})
		case len(f) == 3 && f[0] == "pypi":
			g.pypi = append(g.pypi, pkgRef{f[1], f[2]})
		}
	}
	return g
}

// scaled is n per 256 MiB of countSize, at least 1.
func (g *gen) scaled(n int) int { return max(1, int(float64(n)*float64(g.countSize)/unit+0.5)) }

// stretch is how much larger medium and large files are drawn than their
// class says, so that file counts follow countSize and bytes size.
func (g *gen) stretch() float64 { return float64(g.size) / float64(g.countSize) }

// layerBudget is share of the image's bytes.
func (g *gen) layerBudget(share float64) int64 { return int64(share * float64(g.size)) }

func (g *gen) run() (*summary, error) {
	ndeb := min(g.scaled(debsPerUnit), len(g.debs))
	npm := expand(g.npm, g.scaled(npmPerUnit))
	pypi := expand(g.pypi, g.scaled(pypiPerUnit))
	g.r.Shuffle(len(npm), func(i, j int) { npm[i], npm[j] = npm[j], npm[i] })
	nGlobal := len(npm) * 15 / 100 // npm's own dependencies, in the runtime layer

	type step struct {
		createdBy string
		build     func(*layerWriter) error
	}
	steps := []step{
		{"/bin/sh -c #(nop) ADD file:6e2a0c6e4ba7fe4c9e0d0fd4cae1ec1b in / ", func(w *layerWriter) error {
			return g.debianLayer(w, g.debs[:ndeb], g.layerBudget(0.12))
		}},
		{"RUN install nodejs 18, python 3.11 and the Lambda runtime interface client", func(w *layerWriter) error {
			return g.runtimeLayer(w, npm[:nGlobal], g.layerBudget(0.16))
		}},
		{"COPY node_modules /var/task/node_modules", func(w *layerWriter) error {
			return g.npmLayer(w, npm[nGlobal:], g.layerBudget(0.20))
		}},
		{"RUN pip install -r requirements.txt -t /var/task", func(w *layerWriter) error {
			return g.pythonLayer(w, pypi, g.layerBudget(0.22))
		}},
		{"COPY . /var/task", func(w *layerWriter) error {
			// The rest of the image, less the cleanup layer and the
			// archive's own entries (config, manifest, headers).
			return g.appLayer(w, g.size-g.done-64<<10)
		}},
		{"RUN rm -rf /var/lib/apt/lists /var/cache/apt/archives/*.deb node_modules/typescript && sed -i s/v1/v2/ index.js", g.cleanupLayer},
	}
	var adds []mutate.Addendum
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}()
	for i, s := range steps {
		tmp := fmt.Sprintf("%s.layer%d.tmp", g.out, i)
		tmps = append(tmps, tmp)
		w, err := newLayerWriter(tmp, g.gz, g.data)
		if err != nil {
			return nil, err
		}
		if err := s.build(w); err != nil {
			w.abort()
			return nil, err
		}
		l, err := w.close()
		if err != nil {
			return nil, err
		}
		g.done += l.size
		g.files += w.files
		adds = append(adds, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: s.createdBy, Created: v1.Time{Time: mtime}}})
	}

	cfg := &v1.ConfigFile{
		Architecture: "amd64",
		OS:           "linux",
		Config: v1.Config{
			Env: []string{
				"PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
				"LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime", "NODE_PATH=/opt/nodejs/node_modules:/var/task/node_modules",
			},
			Entrypoint: []string{"/lambda-entrypoint.sh"},
			Cmd:        []string{"index.handler"},
			WorkingDir: "/var/task",
		},
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	if img, err = mutate.Append(img, adds...); err != nil {
		return nil, err
	}
	if img, err = mutate.CreatedAt(img, v1.Time{Time: mtime}); err != nil {
		return nil, err
	}
	tag, err := name.NewTag(fmt.Sprintf("fnaudit-bench/lambda-image:%d", g.size>>20))
	if err != nil {
		return nil, err
	}
	if err := tarball.WriteToFile(g.out, tag, img); err != nil {
		return nil, err
	}
	fi, err := os.Stat(g.out)
	if err != nil {
		return nil, err
	}
	// A scanner keys Debian packages by source package (binaries of one
	// source count once); npm's own package.json is one more npm package.
	sources := map[pkgRef]bool{}
	for _, d := range g.debs[:ndeb] {
		sources[d.sourceRef()] = true
	}
	return &summary{Path: g.out, Bytes: fi.Size(), Layers: len(adds), Files: g.files,
		Debian: len(sources), Npm: len(npm) + 1, PyPI: len(pypi)}, nil
}

// expand returns n distinct packages: the real ones first, then older
// releases of the same names (for x.y.z: x.y.z-1 ... x.y.0, x.y-1.0, ...),
// round by round, so that a package's round says how deeply it is nested.
func expand(seeds []pkgRef, n int) []pkgRef {
	seen := map[pkgRef]bool{}
	var out []pkgRef
	for _, s := range seeds {
		if len(out) < n && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	progress := true
	for k := 1; len(out) < n && progress; k++ {
		progress = false
		for _, s := range seeds {
			if len(out) >= n {
				break
			}
			v, ok := olderVersion(s.version, k)
			if !ok {
				continue
			}
			progress = true
			if p := (pkgRef{s.name, v}); !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// olderVersion is the k-th release before v in the order x.y.z-1, ..., x.y.0,
// x.y-1.0, ..., x.0.0, x-1.0.0, ...; false when v is not dotted numbers or
// has fewer than k before it.
func olderVersion(v string, k int) (string, bool) {
	parts := strings.Split(v, ".")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return "", false
		}
		nums[i] = n
	}
	for p := len(nums) - 1; p >= 0; p-- {
		if k <= nums[p] {
			c := slices.Clone(nums)
			c[p] -= k
			for i := p + 1; i < len(c); i++ {
				c[i] = 0
			}
			s := make([]string, len(c))
			for i, n := range c {
				s[i] = strconv.Itoa(n)
			}
			return strings.Join(s, "."), true
		}
		k -= nums[p]
	}
	return "", false
}

// A file class: sizes drawn uniformly in [lo, hi].
type class struct{ lo, hi int64 }

var (
	small  = class{1 << 10, 32 << 10}
	medium = class{64 << 10, 4 << 20}
	large  = class{8 << 20, 64 << 20}
)

func (g *gen) draw(c class) int64 { return c.lo + g.r.Int64N(c.hi-c.lo+1) }

// entryCost is what an entry adds to a layer's tar beside its data, on
// average: a header and half a block of padding.
const entryCost = 512 + 256

// filler is a file that only takes space: size bytes, text-like or binary.
type filler struct {
	name string
	size int64
	text bool
}

// fill draws files until budget bytes are spent: smallShare of them in
// small files, the rest in medium files, and in large ones with probability
// largeP per draw. name gives each file its name from its size class.
func (g *gen) fill(budget int64, smallShare, largeP float64, name func(c class, i int) (string, bool)) []filler {
	var out []filler
	add := func(c class, limit int64) int64 {
		n := g.draw(c)
		if c != small {
			n = int64(float64(n) * g.stretch())
		}
		n = min(n, limit-entryCost)
		if n < 1 {
			return limit
		}
		nm, text := name(c, len(out))
		out = append(out, filler{nm, n, text})
		return n + entryCost
	}
	smallBudget := int64(smallShare * float64(budget) / g.stretch())
	for spent := int64(0); spent < smallBudget; {
		spent += add(small, smallBudget-spent)
	}
	rest := budget - smallBudget
	for spent := int64(0); spent < rest; {
		c := medium
		if largeP > 0 && g.r.Float64() < largeP {
			c = large
		}
		spent += add(c, rest-spent)
	}
	return out
}

var (
	words   = strings.Fields("util core index helpers parser stream buffer client server config types errors http json crypto encode decode cache queue pool schema model vendor compat legacy async worker runtime events")
	textExt = []string{".js", ".js", ".d.ts", ".json", ".md", ".map", ".cjs", ".mjs"}
	pyExt   = []string{".py", ".py", ".py", ".pyi", ".txt", ".json"}
)

func (g *gen) word() string { return words[g.r.IntN(len(words))] }

// --- layer 1: Debian 12 -----------------------------------------------------

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`

var licences = []string{"GPL-2+", "LGPL-2.1+", "BSD-3-clause", "MIT", "Expat", "GPL-3+", "Apache-2.0", "public-domain"}

func (g *gen) debianLayer(w *layerWriter, debs []debPkg, budget int64) error {
	for _, l := range [][2]string{{"bin", "usr/bin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}, {"sbin", "usr/sbin"}} {
		w.symlink(l[0], l[1])
	}
	w.text("usr/lib/os-release", osRelease)
	w.symlink("etc/os-release", "../usr/lib/os-release")
	w.text("etc/debian_version", "12.5\n")
	w.text("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
	w.text("etc/group", "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n")

	var status strings.Builder
	for _, d := range debs {
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nPriority: %s\nSection: %s\nInstalled-Size: %s\nMaintainer: %s\nArchitecture: %s\n",
			d.name, d.priority, d.section, d.instSize, d.maintainer, d.arch)
		if d.source != "" {
			fmt.Fprintf(&status, "Source: %s\n", d.source)
		}
		fmt.Fprintf(&status, "Version: %s\nDescription: %s\n\n", d.version, d.desc)
	}
	w.text("var/lib/dpkg/status", status.String())

	// Each package's files: fillers spread over the packages, named as
	// Debian installs them.
	owner := make([][]filler, len(debs))
	fixed := int64(status.Len()) + int64(len(debs))*(3*entryCost+6<<10)
	aptList := "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"
	debFile := fmt.Sprintf("var/cache/apt/archives/%s_%s_%s.deb", debs[0].name, strings.ReplaceAll(debs[0].version, ":", "%3a"), debs[0].arch)
	extras := []filler{{aptList, 2<<20 + g.r.Int64N(4<<20), false}, {debFile, g.draw(medium), false}}
	for _, e := range extras {
		fixed += e.size + entryCost
	}
	fill := g.fill(max(budget-fixed, 0), 0.2, 0, func(c class, i int) (string, bool) {
		d := debs[i%len(debs)]
		if c == small {
			return fmt.Sprintf("usr/share/%s/%s-%d.txt", d.name, g.word(), i), true
		}
		if strings.HasPrefix(d.name, "lib") {
			return fmt.Sprintf("usr/lib/x86_64-linux-gnu/%s-%d.so.%d", strings.TrimSuffix(d.name, "-dev"), i, 1+i%6), false
		}
		return fmt.Sprintf("usr/bin/%s-%d", d.name, i), false
	})
	for i, f := range fill {
		owner[i%len(debs)] = append(owner[i%len(debs)], f)
	}
	for i, d := range debs {
		lic := licences[g.r.IntN(len(licences))]
		w.text("usr/share/doc/"+d.name+"/copyright", fmt.Sprintf(
			"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: %s\n\nFiles: *\nCopyright: 1995-2023 The %s authors\nLicense: %s\n\n%s\n",
			d.name, d.name, lic, w.randText(1<<10+g.r.IntN(4<<10))))
		list := []string{"/.", "/usr", "/usr/share", "/usr/share/doc", "/usr/share/doc/" + d.name, "/usr/share/doc/" + d.name + "/copyright"}
		var md5s strings.Builder
		for _, f := range owner[i] {
			if err := w.random(f.name, f.size, f.text); err != nil {
				return err
			}
			list = append(list, "/"+f.name)
			fmt.Fprintf(&md5s, "%s  %s\n", w.randHex(16), f.name)
		}
		w.text("var/lib/dpkg/info/"+d.name+".list", strings.Join(list, "\n")+"\n")
		w.text("var/lib/dpkg/info/"+d.name+".md5sums", md5s.String())
	}
	w.text("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", w.randText(100<<10))
	for _, e := range extras {
		if err := w.random(e.name, e.size, false); err != nil {
			return err
		}
	}
	return w.err
}

// --- layer 2: runtimes ----------------------------------------------------

var stdlibDirs = strings.Fields("asyncio collections concurrent/futures ctypes email encodings html http importlib json logging multiprocessing sqlite3 unittest urllib xml/etree xml/dom zoneinfo lib-dynload")

func (g *gen) runtimeLayer(w *layerWriter, npm []pkgRef, budget int64) error {
	w.text("lambda-entrypoint.sh", "#!/bin/sh\nexec /usr/local/bin/aws-lambda-ric \"$@\"\n")
	w.text("var/runtime/bootstrap", "#!/bin/sh\nexec /usr/local/bin/node /var/runtime/index.mjs\n")
	w.text("usr/local/lib/node_modules/npm/package.json", packageJSON(pkgRef{"npm", "9.8.1"}))
	// node and python: a share of the layer in two large binaries.
	node := budget / 5
	python := budget / 12
	if err := w.random("usr/local/bin/node", node, false); err != nil {
		return err
	}
	if err := w.random("usr/local/lib/libpython3.11.so.1.0", python, false); err != nil {
		return err
	}
	pkgBytes, err := g.npmTree(w, "usr/local/lib/node_modules/npm/node_modules", npm, budget/2-node-python)
	if err != nil {
		return err
	}
	fill := g.fill(max(budget-node-python-pkgBytes, 0), 0.3, 0.02, func(c class, i int) (string, bool) {
		dir := stdlibDirs[i%len(stdlibDirs)]
		switch c {
		case small:
			return fmt.Sprintf("usr/local/lib/python3.11/%s/%s_%d.py", dir, g.word(), i), true
		case medium:
			return fmt.Sprintf("usr/local/lib/python3.11/lib-dynload/_%s_%d.cpython-311-x86_64-linux-gnu.so", g.word(), i), false
		}
		return fmt.Sprintf("usr/local/bin/aws-lambda-ric-%d", i), false
	})
	slices.SortFunc(fill, func(a, b filler) int { return strings.Compare(a.name, b.name) })
	for _, f := range fill {
		if err := w.random(f.name, f.size, f.text); err != nil {
			return err
		}
	}
	return w.err
}

// --- layer 3: node_modules ---------------------------------------------------

func (g *gen) npmLayer(w *layerWriter, npm []pkgRef, budget int64) error {
	w.text("var/task/package.json", `{"name":"orders-function","version":"1.4.0","private":true,"main":"index.js","dependencies":{}}`)
	// typescript, a dev dependency copied by mistake and deleted in layer 6.
	ts := pkgRef{"typescript", "4.9.5"}
	w.text("var/task/node_modules/typescript/package.json", packageJSON(ts))
	if err := w.random("var/task/node_modules/typescript/lib/typescript.js", 8<<20+g.r.Int64N(2<<20), true); err != nil {
		return err
	}
	_, err := g.npmTree(w, "var/task/node_modules", npm, budget-w.n)
	return err
}

// npmTree writes packages under root (a node_modules folder), about budget
// bytes in all, and returns the bytes written. A name's first version is
// installed at the top, later ones under another package's node_modules.
func (g *gen) npmTree(w *layerWriter, root string, pkgs []pkgRef, budget int64) (int64, error) {
	start := w.n
	top := map[string]bool{}
	var tops []string
	used := map[string]bool{}
	dirs := make([]string, len(pkgs))
	for i, p := range pkgs {
		if !top[p.name] {
			top[p.name] = true
			tops = append(tops, p.name)
			dirs[i] = root + "/" + p.name
			used[dirs[i]] = true
		}
	}
	for i, p := range pkgs {
		for dirs[i] == "" {
			parent := tops[g.r.IntN(len(tops))]
			d := root + "/" + parent + "/node_modules/" + p.name
			if parent != p.name && !used[d] {
				dirs[i], used[d] = d, true
			}
		}
	}
	fixed := int64(len(pkgs)) * (4*entryCost + 4<<10)
	fill := g.fill(max(budget-fixed, 0), 0.35, 0, func(c class, i int) (string, bool) {
		d := dirs[i%len(dirs)]
		if c == small {
			return fmt.Sprintf("%s/lib/%s-%d%s", d, g.word(), i, textExt[g.r.IntN(len(textExt))]), true
		}
		if g.r.IntN(2) == 0 {
			return fmt.Sprintf("%s/build/Release/%s_%d.node", d, g.word(), i), false
		}
		return fmt.Sprintf("%s/dist/%s.%d.min.js", d, g.word(), i), false
	})
	owner := make([][]filler, len(pkgs))
	for i, f := range fill {
		owner[i%len(pkgs)] = append(owner[i%len(pkgs)], f)
	}
	// Write in path order, as a layer built from a directory walk is.
	order := make([]int, len(pkgs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(dirs[a], dirs[b]) })
	for _, i := range order {
		d, p := dirs[i], pkgs[i]
		w.text(d+"/package.json", packageJSON(p))
		w.text(d+"/README.md", "# "+p.name+"\n\n"+w.randText(500+g.r.IntN(3000)))
		w.text(d+"/LICENSE", "The MIT License (MIT)\n\nCopyright (c) "+p.name+" contributors\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software...\n")
		w.text(d+"/index.js", "'use strict';\nmodule.exports = require('./lib/"+g.word()+"');\n"+w.randText(g.r.IntN(1500)))
		for _, f := range owner[i] {
			if err := w.random(f.name, f.size, f.text); err != nil {
				return 0, err
			}
		}
	}
	return w.n - start, w.err
}

func packageJSON(p pkgRef) string {
	repo := strings.TrimPrefix(p.name, "@")
	b, _ := json.MarshalIndent(map[string]any{
		"name":        p.name,
		"version":     p.version,
		"description": "The " + p.name + " package",
		"main":        "index.js",
		"license":     "MIT",
		"repository":  map[string]string{"type": "git", "url": "git+https://github.com/" + repo + ".git"},
		"engines":     map[string]string{"node": ">=10"},
	}, "", "  ")
	return string(b) + "\n"
}

// --- layer 4: Python packages -----------------------------------------------

func (g *gen) pythonLayer(w *layerWriter, pkgs []pkgRef, budget int64) error {
	// A name's first version goes to /var/task (pip -t), the next ones to
	// further site-packages trees, one per round.
	round := map[string]int{}
	sites := make([]string, len(pkgs))
	for i, p := range pkgs {
		r := round[p.name]
		round[p.name] = r + 1
		sites[i] = "var/task"
		if r > 0 {
			sites[i] = fmt.Sprintf("opt/layer-%d/python/lib/python3.11/site-packages", r)
		}
	}
	mods := make([]string, len(pkgs))
	for i, p := range pkgs {
		mods[i] = sites[i] + "/" + strings.ToLower(strings.NewReplacer("-", "_", ".", "_").Replace(p.name))
	}
	fixed := int64(len(pkgs)) * (6*entryCost + 4<<10)
	fill := g.fill(max(budget-fixed, 0), 0.25, 0, func(c class, i int) (string, bool) {
		m := mods[i%len(mods)]
		if c == small {
			return fmt.Sprintf("%s/%s_%d%s", m, g.word(), i, pyExt[g.r.IntN(len(pyExt))]), true
		}
		return fmt.Sprintf("%s/_%s_%d.cpython-311-x86_64-linux-gnu.so", m, g.word(), i), false
	})
	owner := make([][]filler, len(pkgs))
	for i, f := range fill {
		owner[i%len(pkgs)] = append(owner[i%len(pkgs)], f)
	}
	order := make([]int, len(pkgs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(mods[a], mods[b]) })
	for _, i := range order {
		p, m := pkgs[i], mods[i]
		init := fmt.Sprintf("__version__ = %q\n%s", p.version, w.randText(g.r.IntN(2000)))
		w.text(m+"/__init__.py", init)
		var record strings.Builder
		rel := func(f string) string { return strings.TrimPrefix(f, sites[i]+"/") }
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", rel(m+"/__init__.py"), w.randB64(), len(init))
		for _, f := range owner[i] {
			if err := w.random(f.name, f.size, f.text); err != nil {
				return err
			}
			fmt.Fprintf(&record, "%s,sha256=%s,%d\n", rel(f.name), w.randB64(), f.size)
		}
		di := fmt.Sprintf("%s/%s-%s.dist-info", sites[i], strings.ReplaceAll(p.name, "-", "_"), p.version)
		meta := fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: The %s package\nHome-page: https://pypi.org/project/%s/\nAuthor: %s developers\nLicense: MIT\nRequires-Python: >=3.7\n\n%s\n",
			p.name, p.version, p.name, p.name, p.name, w.randText(500+g.r.IntN(2500)))
		for _, f := range []string{"INSTALLER", "METADATA", "WHEEL", "top_level.txt"} {
			fmt.Fprintf(&record, "%s,sha256=%s,%d\n", rel(di+"/"+f), w.randB64(), 10)
		}
		fmt.Fprintf(&record, "%s,,\n", rel(di+"/RECORD"))
		w.text(di+"/INSTALLER", "pip\n")
		w.text(di+"/METADATA", meta)
		w.text(di+"/WHEEL", "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.38.4)\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\n")
		w.text(di+"/top_level.txt", path.Base(m)+"\n")
		w.text(di+"/RECORD", record.String())
	}
	return w.err
}

// --- layer 5: function code and models --------------------------------------

func (g *gen) appLayer(w *layerWriter, budget int64) error {
	w.text("var/task/index.js", "exports.handler = async (event) => ({ statusCode: 200, body: 'v1' });\n")
	w.text("var/task/app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
	fill := g.fill(max(budget-w.n, 0), 0.05, 0.25, func(c class, i int) (string, bool) {
		switch c {
		case small:
			return fmt.Sprintf("var/task/src/%s/%s-%d.js", g.word(), g.word(), i), true
		case medium:
			return fmt.Sprintf("var/task/assets/%s-%d.bin", g.word(), i), false
		}
		return fmt.Sprintf("var/task/models/%s-%d.onnx", g.word(), i), false
	})
	slices.SortFunc(fill, func(a, b filler) int { return strings.Compare(a.name, b.name) })
	for _, f := range fill {
		if err := w.random(f.name, f.size, f.text); err != nil {
			return err
		}
	}
	return w.err
}

// --- layer 6: cleanup -------------------------------------------------------

func (g *gen) cleanupLayer(w *layerWriter) error {
	w.whiteout("var/lib/apt/lists/.wh..wh..opq")
	d := g.debs[0]
	w.whiteout(fmt.Sprintf("var/cache/apt/archives/.wh.%s_%s_%s.deb", d.name, strings.ReplaceAll(d.version, ":", "%3a"), d.arch))
	w.whiteout("var/task/node_modules/.wh.typescript")
	w.text("var/task/index.js", "exports.handler = async (event) => ({ statusCode: 200, body: 'v2' });\n")
	return w.err
}

// --- layer writing ----------------------------------------------------------

// layerWriter writes one layer's tar to a file, hashing the tar stream (the
// diff ID) and the blob (the digest) as it goes.
type layerWriter struct {
	path  string
	f     *os.File
	bw    *bufio.Writer
	gz    *gzip.Writer
	tw    *tar.Writer
	diff  hash.Hash
	blob  hash.Hash
	data  *rand.ChaCha8
	buf   []byte
	dirs  map[string]bool
	files int
	n     int64 // data bytes written, plus entryCost per entry
	err   error
}

func newLayerWriter(p string, gz bool, data *rand.ChaCha8) (*layerWriter, error) {
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	w := &layerWriter{path: p, f: f, bw: bufio.NewWriterSize(f, 1<<20), diff: sha256.New(), data: data,
		buf: make([]byte, 1<<20), dirs: map[string]bool{}}
	var blob io.Writer = w.bw
	if gz {
		w.blob = sha256.New()
		w.gz, _ = gzip.NewWriterLevel(io.MultiWriter(w.bw, w.blob), gzip.DefaultCompression)
		blob = w.gz
	}
	w.tw = tar.NewWriter(io.MultiWriter(w.diff, blob))
	return w, nil
}

func (w *layerWriter) header(h *tar.Header) {
	if w.err != nil {
		return
	}
	if h.Typeflag != tar.TypeDir {
		w.parents(h.Name)
	}
	h.ModTime, h.Format = mtime, tar.FormatPAX
	if h.Typeflag == tar.TypeDir {
		h.Name += "/"
	}
	w.n += entryCost
	w.err = w.tw.WriteHeader(h)
}

// parents writes the directory entries p needs that the layer lacks.
func (w *layerWriter) parents(p string) {
	d := path.Dir(p)
	if d == "." || w.dirs[d] {
		return
	}
	w.parents(d)
	w.dirs[d] = true
	w.header(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755})
}

func (w *layerWriter) text(p, s string) {
	w.header(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(s))})
	if w.err == nil {
		_, w.err = io.WriteString(w.tw, s)
		w.n += int64(len(s))
		w.files++
	}
}

func (w *layerWriter) symlink(p, target string) {
	w.header(&tar.Header{Name: p, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777})
}

func (w *layerWriter) whiteout(p string) {
	w.header(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: 0o644})
}

// random writes a file of size random bytes, printable ones if text.
func (w *layerWriter) random(p string, size int64, text bool) error {
	mode := int64(0o644)
	if !text {
		mode = 0o755
	}
	w.header(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: mode, Size: size})
	for left := size; left > 0 && w.err == nil; {
		b := w.buf[:min(left, int64(len(w.buf)))]
		w.data.Read(b)
		if text {
			toText(b)
		}
		_, w.err = w.tw.Write(b)
		left -= int64(len(b))
	}
	w.n += size
	w.files++
	return w.err
}

const textChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n(){};=.,\t"

func toText(b []byte) {
	for i, c := range b {
		b[i] = textChars[int(c)%len(textChars)]
	}
}

func (w *layerWriter) randText(n int) string {
	b := make([]byte, n)
	w.data.Read(b)
	toText(b)
	return string(b)
}

func (w *layerWriter) randHex(n int) string {
	b := make([]byte, n)
	w.data.Read(b)
	return hex.EncodeToString(b)
}

func (w *layerWriter) randB64() string {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 43)
	w.data.Read(b)
	for i, c := range b {
		b[i] = b64[c&63]
	}
	return string(b)
}

func (w *layerWriter) abort() {
	w.f.Close()
	os.Remove(w.path)
}

// close finishes the layer and returns it.
func (w *layerWriter) close() (*fileLayer, error) {
	if w.err == nil {
		w.err = w.tw.Close()
	}
	if w.err == nil && w.gz != nil {
		w.err = w.gz.Close()
	}
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if err := w.f.Close(); w.err == nil {
		w.err = err
	}
	if w.err != nil {
		return nil, fmt.Errorf("%s: %w", w.path, w.err)
	}
	fi, err := os.Stat(w.path)
	if err != nil {
		return nil, err
	}
	l := &fileLayer{path: w.path, size: fi.Size(), gz: w.gz != nil}
	l.diffID = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(w.diff.Sum(nil))}
	l.digest = l.diffID
	if w.blob != nil {
		l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(w.blob.Sum(nil))}
	}
	return l, nil
}

// fileLayer is a layer whose blob is a file, digests known. Uncompressed
// blobs are written as docker save writes them ("<digest>.tar").
type fileLayer struct {
	path           string
	size           int64
	gz             bool
	digest, diffID v1.Hash
}

var _ v1.Layer = (*fileLayer)(nil)

func (l *fileLayer) Digest() (v1.Hash, error)           { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)           { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)               { return l.size, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error) { return os.Open(l.path) }

func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil || !l.gz {
		return f, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func (l *fileLayer) MediaType() (types.MediaType, error) {
	if l.gz {
		return types.DockerLayer, nil
	}
	return types.DockerUncompressedLayer, nil
}
