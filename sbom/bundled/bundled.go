package bundled

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/sbom"
)

// Version identifies what Recover finds: it is bumped whenever a change
// makes Recover return different packages for the same artifact, so that
// catalogues cached with an older Recover are not reused.
const Version = "bundled 1"

// Hints say where, outside the artifact, the build that bundled it left
// its lockfile.
type Hints struct {
	// LockFile is the lockfile the bundle was built from, when the
	// deployment names one (CDK's depsLockFilePath).
	LockFile string
	// Dirs are folders searched for a lockfile, each with up to four of
	// its parents: the manifest's folder, the asset's source folder.
	Dirs []string
}

// Result is what Recover found in a bundled artifact.
type Result struct {
	// Packages are the bundled npm packages, sorted, each with its
	// Evidence and Location (the SBOM, map, metafile or bundle file that
	// names it); Version is "" when no evidence pins it.
	Packages []sbom.Package
	// Warnings say what keeps the inventory from being complete: a bundle
	// with no map, metafile or SBOM, a map that could not be read, a
	// version that could not be pinned. Each names the file.
	Warnings []string
	// Notes are for the log: the lockfile and SBOM used, evidence that
	// disagreed.
	Notes []string
}

// Name evidence, best first, and version evidence, as written in
// sbom.Package.Evidence ("<name evidence>+<version evidence>").
const (
	evSBOM        = "sbom"         // a build-time SBOM shipped in the artifact
	evSourcemap   = "sourcemap"    // a source map's sources
	evMetafile    = "metafile"     // an esbuild metafile's inputs
	evStats       = "stats"        // webpack stats' modules
	evComment     = "comment"      // esbuild's "// node_modules/..." module comments, webpack's module keys
	evBanner      = "banner"       // a legal comment
	evLockfile    = "lockfile"     // version: the build's lockfile
	evPackageJSON = "package.json" // version: the package's package.json inlined in the bundle
	evPath        = "path"         // version: a pnpm store folder in a bundled path
)

var nameRank = []string{evSBOM, evSourcemap, evMetafile, evStats, evComment, evBanner}

func rankOf(kind string) int {
	if i := slices.Index(nameRank, kind); i >= 0 {
		return i
	}
	return len(nameRank)
}

// Detect says whether the unpacked artifact in dir holds bundled
// JavaScript: .js, .mjs or .cjs files outside node_modules together with
// a sign of a bundler (esbuild or webpack runtime helpers, esbuild's
// module comments or licence list, a sourceMappingURL, minified code) or
// with a source map, metafile, webpack stats, *.LICENSE.txt, *.LEGAL.txt
// or build SBOM. Installed node_modules packages do not stop it: a bundle whose
// externals are installed (CDK nodeModules) is still a bundle. Detect
// reads at most the first and last few KiB of a bounded number of files.
func Detect(dir string) bool {
	t, err := openTree(dir)
	if err != nil {
		return false
	}
	defer t.close()
	hasJS, sign := false, false
	sniffed := 0
	for _, c := range byDepth(t.files) {
		switch c.kind {
		case kindJS:
			hasJS = true
			if !sign && sniffed < maxDetectSniffs {
				sniffed++
				head, tail, err := t.sniff(c.rel)
				sign = err == nil && (bundleSign(head, c.size) || mapCommentSign(tail) || mapCommentSign(head))
			}
		case kindMap, kindLicense:
			sign = true
		case kindJSON:
			if !sign && sniffed < maxDetectSniffs {
				sniffed++
				head, _, err := t.sniff(c.rel)
				sign = err == nil && jsonKindOf(c.rel, head) != jsonOther
			}
		}
		if hasJS && sign {
			return true
		}
	}
	return false
}

// maxDetectSniffs bounds the files Detect reads.
const maxDetectSniffs = 256

// byDepth returns the files shallowest first (a function's entry point is
// near its root), then by path.
func byDepth(files []candidate) []candidate {
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b candidate) int {
		return cmp.Compare(strings.Count(a.rel, "/"), strings.Count(b.rel, "/"))
	})
	return out
}

// Recover lists the npm packages bundled in the unpacked artifact in dir
// from the evidence it carries, best first: a build-time SBOM (used alone
// when present), source maps, esbuild metafiles and webpack stats, and
// legal comments; versions come from the SBOM, from the package's own
// package.json or licence banner inlined in the bundle, from pnpm store
// paths, or from the build's lockfile (in the artifact, else found through
// hints). Nothing is guessed: a package no evidence pins has Version "".
//
// Only a cancelled context or an unreadable dir is an error; a file that
// is too large or malformed is skipped and named in Result.Warnings.
func Recover(ctx context.Context, dir string, hints Hints) (Result, error) {
	t, err := openTree(dir)
	if err != nil {
		return Result{}, err
	}
	defer t.close()
	s := newScan(t)
	if err := s.run(ctx); err != nil {
		return Result{}, err
	}
	return s.result(s.lockfile(hints)), nil
}
