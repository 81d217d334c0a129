package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/catalog"
)

// artifactResult is what one distinct artifact holds.
type artifactResult struct {
	sha256   string
	packages []sbom.Package // Artifact left empty: functions name it
	errors   []string       // why the artifact could not be fully audited
}

// artifactSet maps each artifact path of the application to its result.
type artifactSet struct {
	byPath map[string]*artifactResult
}

func (s *artifactSet) result(a bundle.Artifact) *artifactResult {
	if r, ok := s.byPath[a.Path]; ok {
		return r
	}
	return &artifactResult{errors: []string{fmt.Sprintf("%s: artifact was not catalogued", a.Path)}}
}

// catalogArtifacts unpacks and catalogues every distinct artifact of the
// application once, at most cfg.Jobs at a time. Only a cancelled context is
// an error; an artifact's own failure is recorded in its result.
func catalogArtifacts(ctx context.Context, cfg Config, ws *unpack.Workspace, app *bundle.Application) (*artifactSet, error) {
	paths := map[string]bool{}
	for _, fn := range app.Functions {
		for _, a := range fn.Artifacts {
			paths[a.Path] = true
		}
	}
	ordered := slices.Sorted(maps.Keys(paths))
	results := make([]*artifactResult, len(ordered))

	// The same content under two paths (a layer zip copied per function) is
	// catalogued once: the digest is computed first, then the first path with
	// that digest is catalogued and the others share its result.
	for i, p := range ordered {
		sum, err := fileSHA256(p)
		results[i] = &artifactResult{sha256: sum}
		if err != nil {
			results[i].errors = []string{err.Error()}
		}
	}
	first := map[string]int{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.Jobs, 1))
	for i, p := range ordered {
		r := results[i]
		if len(r.errors) > 0 {
			continue
		}
		if _, dup := first[r.sha256]; dup {
			continue
		}
		first[r.sha256] = i
		g.Go(func() error {
			pkgs, errs := catalogOne(gctx, cfg, ws, p)
			r.packages, r.errors = pkgs, errs
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	set := &artifactSet{byPath: map[string]*artifactResult{}}
	for i, p := range ordered {
		r := results[i]
		if j, ok := first[r.sha256]; ok && j != i && len(r.errors) == 0 {
			r.packages, r.errors = results[j].packages, results[j].errors
		}
		set.byPath[p] = r
	}
	return set, nil
}

// catalogOne unpacks one artifact into the workspace and catalogues it.
// Entries the unpacker rejected make the artifact incomplete, but what was
// safely extracted is still catalogued.
func catalogOne(ctx context.Context, cfg Config, ws *unpack.Workspace, path string) ([]sbom.Package, []string) {
	dir, err := ws.MkdirTemp("artifact-*")
	if err != nil {
		return nil, []string{fmt.Errorf("%s: creating temp dir: %w", path, err).Error()}
	}
	// Free the disk as soon as the tree is catalogued: large applications
	// would otherwise hold every artifact unpacked until the end of the run.
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			cfg.Logger.Warn("removing unpacked artifact", "dir", dir, "err", err)
		}
	}()
	res, err := unpack.Zip(ctx, path, dir, cfg.Limits)
	if err != nil {
		return nil, []string{err.Error()}
	}
	var errs []string
	for _, rej := range res.Rejected {
		errs = append(errs, rej.Error())
	}
	for _, n := range res.Notes {
		cfg.Logger.Debug("unpack note", "artifact", path, "note", n)
	}
	pkgs, err := catalog.Dir(ctx, dir, "", catalog.Config{Parallelism: 1, ToolVersion: cfg.ToolVersion})
	if err != nil {
		errs = append(errs, err.Error())
	}
	return pkgs, errs
}

// fileSHA256 hashes an artifact file; a missing file is reported in words
// the user can act on.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s: artifact not found: build or package the function first, or check the path", path)
	}
	if err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return "", fmt.Errorf("%s: artifact is a directory; only zip artifacts are supported yet", path)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
