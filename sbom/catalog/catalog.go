package catalog

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/cataloging/pkgcataloging"
	"github.com/anchore/syft/syft/linux"
	"github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"
	"github.com/anchore/syft/syft/source/directorysource"

	// syft's RPM cataloguer needs a database/sql SQLite driver registered;
	// without one every CreateSBOM call fails. modernc's is pure Go.
	_ "modernc.org/sqlite"

	"github.com/fnaudit/fnaudit/sbom"
)

// Config tunes cataloguing.
type Config struct {
	// Parallelism is the number of cataloguers syft runs at once (0: one per CPU).
	Parallelism int
	// ToolVersion is recorded as the cataloguing tool's version.
	ToolVersion string
}

// DefaultConfig returns the configuration fnaudit scans with.
func DefaultConfig() Config { return Config{Parallelism: 1} }

// Dir catalogues the installed packages in dir, which holds the contents of
// the artifact named artifact. Locations are slash paths relative to dir.
func Dir(ctx context.Context, dir, artifact string, cfg Config) ([]sbom.Package, error) {
	if err := CheckDir(dir); err != nil {
		return nil, fmt.Errorf("cataloguing %s: %w", dir, err)
	}
	src, err := directorysource.New(directorysource.Config{Path: dir, Base: dir})
	if err != nil {
		return nil, fmt.Errorf("cataloguing %s: %w", dir, err)
	}
	defer src.Close()

	lctx, err := licenseContext()
	if err != nil {
		return nil, fmt.Errorf("cataloguing %s: %w", dir, err)
	}
	s, err := syft.CreateSBOM(withValuesOf(ctx, lctx), src, syftConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("cataloguing %s: %w", dir, err)
	}
	return convert(s, artifact), nil
}

// skippedRoots are where syft's directory source skips every file when the
// mount there is a tmpfs, devtmpfs, proc or sysfs (syft's path skipper,
// meant for scans of "/"): a tree under them would be catalogued as empty
// and the function reported clean.
var skippedRoots = []string{"/dev", "/proc", "/run", "/sys", "/var/lock", "/var/run"}

// CheckDir refuses a directory syft may not read: one under skippedRoots
// (symbolic links resolved), such as a --tmp-dir of /dev/shm.
func CheckDir(dir string) error {
	p := filepath.ToSlash(resolve(dir))
	for _, root := range skippedRoots {
		if p == root || strings.HasPrefix(p, root+"/") {
			return fmt.Errorf("%s is under %s, where syft reads no file (it skips %s, %s); use a directory elsewhere, such as /tmp or /var/tmp",
				dir, root, strings.Join(skippedRoots[:len(skippedRoots)-1], ", "), skippedRoots[len(skippedRoots)-1])
		}
	}
	return nil
}

// resolve makes dir absolute with the symbolic links of its longest
// existing ancestor resolved.
func resolve(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	rest := ""
	for p := abs; ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		if filepath.Dir(p) == p {
			return abs
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// licenseContext holds syft's licence scanner. Building it compiles
// licensecheck's matcher, about 1.7 s of CPU, which syft would otherwise
// repeat for every artifact; the scanner is immutable once built, so one
// per process is shared by every cataloguing call.
var licenseContext = sync.OnceValues(func() (context.Context, error) {
	return syft.SetContextLicenseScanner(context.Background(), cataloging.DefaultLicenseConfig())
})

// valuesCtx is ctx (its deadline, cancellation and values) that also
// answers the values of extra, such as the shared licence scanner.
type valuesCtx struct {
	context.Context
	extra context.Context
}

func withValuesOf(ctx, extra context.Context) context.Context { return valuesCtx{ctx, extra} }

// Value looks in the caller's context first, then in extra.
func (c valuesCtx) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	return c.extra.Value(key)
}

// syftConfig selects the installed-package cataloguers and turns off every
// network lookup syft knows.
func syftConfig(cfg Config) *syft.CreateSBOMConfig {
	c := syft.DefaultCreateSBOMConfig().
		WithTool("fnaudit", cfg.ToolVersion).
		WithParallelism(cfg.Parallelism).
		WithoutFiles().
		WithCatalogerSelection(cataloging.NewSelectionRequest().
			WithDefaults(pkgcataloging.InstalledTag).
			// Binary classifiers name runtimes (node, python) that have
			// no OSV ecosystem; they cost time and add nothing to match.
			WithRemovals("binary-classifier-cataloger"))
	pc := c.Packages
	pc.Golang = pc.Golang.WithUsePackagesLib(false).WithSearchRemoteLicenses(false).
		WithSearchLocalModCacheLicenses(false).WithSearchLocalVendorLicenses(false)
	pc.JavaScript = pc.JavaScript.WithSearchRemoteLicenses(false)
	pc.Python = pc.Python.WithSearchRemoteLicenses(false)
	pc.JavaArchive = pc.JavaArchive.WithUseNetwork(false).WithUseMavenLocalRepository(false)
	c = c.WithPackagesConfig(pc)
	lc := c.Licenses
	lc.IncludeContent = cataloging.LicenseContentExcludeAll
	return c.WithLicenseConfig(lc)
}

// convert turns syft's packages into fnaudit's, dropping first-party code
// and packages OSV has no ecosystem for, and merging duplicates (the same
// package found by two cataloguers, or installed twice at the same version).
func convert(s *syftsbom.SBOM, artifact string) []sbom.Package {
	distro := s.Artifacts.LinuxDistribution
	seen := map[sbom.Key]int{}
	var out []sbom.Package
	for p := range s.Artifacts.Packages.Enumerate() {
		fp, ok := toPackage(p, distro)
		if !ok {
			continue
		}
		fp.Artifact = artifact
		if i, dup := seen[fp.Key()]; dup {
			if betterLocation(fp.Location, out[i].Location) {
				out[i].Location = fp.Location
			}
			continue
		}
		seen[fp.Key()] = len(out)
		out = append(out, fp)
	}
	sbom.Sort(out)
	return out
}

// betterLocation prefers the shallower path, then the lexically smaller one,
// so that the location reported for a merged package is deterministic.
func betterLocation(a, b string) bool {
	da, db := strings.Count(a, "/"), strings.Count(b, "/")
	if da != db {
		return da < db
	}
	return a < b
}

// toPackage converts one syft package, or says it is not third-party code
// OSV can know about.
func toPackage(p pkg.Package, distro *linux.Release) (sbom.Package, bool) {
	eco, name, version := osvIdentity(p, distro)
	if eco == "" || name == "" || version == "" {
		return sbom.Package{}, false
	}
	loc := location(p)
	if p.Type == pkg.NpmPkg && !installedNodeModule(loc) {
		return sbom.Package{}, false
	}
	return sbom.Package{Ecosystem: eco, Name: name, Version: version, PURL: p.PURL, Location: loc}, true
}

// installedNodeModule says whether a package.json is the manifest of an
// installed package: node_modules/<name>/package.json or
// node_modules/@scope/<name>/package.json, at any nesting depth. The
// function's own package.json, and package.json files inside a package's
// sub-folders (test fixtures, "type": "module" markers), are not.
func installedNodeModule(loc string) bool {
	parts := strings.Split(loc, "/")
	n := len(parts)
	if n < 3 || parts[n-1] != "package.json" {
		return false
	}
	if parts[n-3] == "node_modules" && !strings.HasPrefix(parts[n-2], "@") {
		return true
	}
	return n >= 4 && parts[n-4] == "node_modules" && strings.HasPrefix(parts[n-3], "@")
}

// location is the slash path, relative to the catalogued root, of the file
// that proves the package; "a.jar!/META-INF/..." steps into an archive.
func location(p pkg.Package) string {
	locs := p.Locations.ToSlice()
	if len(locs) == 0 {
		return ""
	}
	loc := strings.TrimPrefix(path.Clean("/"+locs[0].RealPath), "/")
	if m, ok := p.Metadata.(pkg.JavaArchive); ok {
		if inner := archivePath(m.VirtualPath); inner != "" {
			loc = inner
		}
		if m.PomProperties != nil && m.PomProperties.Path != "" {
			loc += "!/" + strings.TrimPrefix(m.PomProperties.Path, "/")
		}
	}
	return loc
}

// javaArchiveExts are the archive kinds syft's Java cataloguer opens.
var javaArchiveExts = []string{".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg", ".zip"}

// archivePath turns syft's Java virtual path into fnaudit's location
// notation. syft joins nested archives with ":" ("app.jar:BOOT-INF/lib/x.jar")
// and also appends "group:artifact" for each extra pom.properties of a shaded
// jar; only the archive segments are kept, joined with "!/".
func archivePath(virtual string) string {
	var segs []string
	for _, s := range strings.Split(virtual, ":") {
		s = strings.TrimPrefix(path.Clean("/"+s), "/")
		for _, ext := range javaArchiveExts {
			if strings.HasSuffix(strings.ToLower(s), ext) {
				segs = append(segs, s)
				break
			}
		}
	}
	return strings.Join(segs, "!/")
}

// schema is bumped whenever this package's mapping of syft's packages
// changes (naming, filtering, locations): cached catalogues made by an older
// mapping are then not reused.
const schema = 1

// Version identifies the cataloguer for caches: syft's module version and
// this package's mapping schema.
func Version() string {
	syftVersion := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/anchore/syft" {
				syftVersion = d.Version
			}
		}
	}
	return fmt.Sprintf("syft %s; fnaudit catalog %d", syftVersion, schema)
}

// Prepare builds what every cataloguing call shares (syft's licence
// scanner, about 1.7 s of CPU) ahead of the first call, so that a caller can
// overlap it with other work: `go catalog.Prepare()`.
func Prepare() { _, _ = licenseContext() }
