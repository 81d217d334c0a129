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
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/image"
	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/bundled"
	"github.com/fnaudit/fnaudit/sbom/catalog"
)

// artifactResult is what one distinct artifact holds.
type artifactResult struct {
	sha256   string
	packages []sbom.Package // Artifact left empty: functions name it
	errors   []string       // why the artifact could not be fully audited
	bundled  []string       // what keeps its bundled code's inventory incomplete (sbom/bundled)
	// declared, for a folder, names the manifests at its root that declare
	// dependencies, by ecosystem (declaredDeps).
	declared map[string]string
}

// artifactSet maps each artifact path of the application to its result.
type artifactSet struct {
	byPath map[string]*artifactResult
	allow  bool // network allowed: registry images are pulled
}

// pulled says whether an artifact is an image fetched from its registry:
// one named on the command line (no problem: the user asked for it), or one
// a manifest names when the user allowed network access.
func pulled(a bundle.Artifact, allowNetwork bool) bool {
	return a.Remote != "" && (a.Problem == "" || allowNetwork)
}

func (s *artifactSet) result(a bundle.Artifact) *artifactResult {
	if a.Problem != "" && !pulled(a, s.allow) {
		return &artifactResult{errors: []string{artifactLabel(a) + ": " + a.Problem}}
	}
	if r, ok := s.byPath[key(a)]; ok {
		return r
	}
	return &artifactResult{errors: []string{fmt.Sprintf("%s: artifact was not catalogued", a.Path)}}
}

// artifactLabel names an artifact in messages: its path, else its role and
// name.
func artifactLabel(a bundle.Artifact) string {
	if a.Path != "" {
		return a.Path
	}
	return fmt.Sprintf("%s %s", a.Role, a.Name)
}

// kind is how an artifact is read.
type kind int

const (
	kindZip    kind = iota // unpacked (zips inside too)
	kindFolder             // copied under the same rules as a zip
	kindAsIs               // copied as it is (a jar: syft opens it)
	kindImage              // a container image archive
	kindRemote             // an image pulled from its registry
)

// job is one distinct artifact to catalogue.
type job struct {
	path string // the file or folder; "registry:<ref>" for a remote image
	ref  string // the image inside an image archive, or the remote reference
	role bundle.ArtifactRole
	kind kind
	res  *artifactResult
	// hints and lockSum, for code: where the bundle's lockfile is, and
	// its digest (part of the cache key).
	hints   bundled.Hints
	lockSum string
}

// key identifies an artifact in an application: its path, and for an image
// archive the image in it.
func key(a bundle.Artifact) string {
	if a.Remote != "" && (a.Path == "" || a.Problem != "") {
		return bundle.RegistryScheme + a.Remote
	}
	if a.Ref == "" {
		return a.Path
	}
	return a.Path + "#" + a.Ref
}

// catalogArtifacts unpacks and catalogues every distinct artifact of the
// application once, at most cfg.Jobs at a time. Only a cancelled context is
// an error; an artifact's own failure is recorded in its result.
func catalogArtifacts(ctx context.Context, cfg Config, ws *unpack.Workspace, app *bundle.Application) (*artifactSet, error) {
	jobs := distinctJobs(app, cfg.AllowNetwork)
	setBundleHints(cfg, app, jobs)
	// The same content under two paths (a layer zip copied per function) is
	// catalogued once: digests are computed first, then the first path with
	// a digest is catalogued and the others share its result.
	first := map[string]*job{}
	var todo []*job
	for _, j := range jobs {
		if len(j.res.errors) > 0 {
			continue
		}
		if j.res.sha256 != "" {
			id := j.res.sha256 + "#" + j.ref
			if f, dup := first[id]; dup {
				j.res = f.res
				continue
			}
			first[id] = j
		}
		todo = append(todo, j)
	}
	c := cache{dir: cfg.CacheDir}
	progress := newProgress(cfg.Progress, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.Jobs, 1))
	for _, j := range todo {
		g.Go(func() error {
			defer progress.done(j.path)
			if e, ok := c.get(j); ok {
				cfg.Logger.Debug("catalogue from cache", "artifact", j.path)
				j.res.packages, j.res.bundled = e.Packages, e.Bundled
				return nil
			}
			progress.start(j.path)
			cfg.Logger.Info("cataloguing", "artifact", j.path)
			pkgs, errs := catalogOne(gctx, cfg, ws, j)
			j.res.packages, j.res.errors = pkgs, errs
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := c.put(j, pkgs); err != nil {
				cfg.Logger.Warn("caching the catalogue", "artifact", j.path, "err", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	set := &artifactSet{byPath: map[string]*artifactResult{}, allow: cfg.AllowNetwork}
	for _, j := range jobs {
		set.byPath[j.key()] = j.res
	}
	return set, nil
}

// distinctJobs lists the application's artifacts once per path, in path
// order, with their digests (files) or the error that stops them.
func distinctJobs(app *bundle.Application, allowNetwork bool) []*job {
	byPath := map[string]*job{}
	for _, fn := range app.Functions {
		for _, a := range fn.Artifacts {
			k := key(a)
			switch {
			case byPath[k] != nil:
			case pulled(a, allowNetwork):
				byPath[k] = &job{path: k, ref: a.Remote, role: a.Role, kind: kindRemote}
			case a.Problem == "":
				byPath[k] = &job{path: a.Path, ref: a.Ref, role: a.Role}
			}
		}
	}
	var jobs []*job
	for _, p := range slices.Sorted(maps.Keys(byPath)) {
		j := byPath[p]
		if j.kind == kindRemote {
			j.res = &artifactResult{} // its digest is known once pulled
		} else {
			j.kind, j.res = inspect(j)
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// inspect finds how an artifact is read and hashes it (files only).
func inspect(j *job) (kind, *artifactResult) {
	fi, err := os.Stat(j.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return kindZip, &artifactResult{errors: []string{fmt.Sprintf(
			"%s: artifact not found: build or package the function first (serverless package, sam build, cdk synth, terraform apply's archive step), or check the path", j.path)}}
	case err != nil:
		return kindZip, &artifactResult{errors: []string{fmt.Errorf("%s: reading artifact: %w", j.path, err).Error()}}
	case fi.IsDir():
		sum, err := treeSHA256(j.path)
		if err != nil {
			return kindFolder, &artifactResult{errors: []string{err.Error()}}
		}
		return kindFolder, &artifactResult{sha256: sum, declared: declaredDeps(j.path)}
	}
	sum, err := fileSHA256(j.path)
	if err != nil {
		return kindZip, &artifactResult{errors: []string{err.Error()}}
	}
	k := kindZip
	switch ext := strings.ToLower(filepath.Ext(j.path)); {
	case j.role == bundle.RoleImage || ext == ".tar":
		k = kindImage
	case ext == ".jar" || ext == ".war" || ext == ".ear":
		k = kindAsIs
	}
	return k, &artifactResult{sha256: sum}
}

// catalogOne brings one artifact into the workspace and catalogues it.
// Entries the unpacker rejected make the artifact incomplete, but what was
// safely extracted is still catalogued.
func catalogOne(ctx context.Context, cfg Config, ws *unpack.Workspace, j *job) ([]sbom.Package, []string) {
	dir, err := ws.MkdirTemp("artifact-*")
	if err != nil {
		return nil, []string{fmt.Errorf("%s: creating temp dir: %w", j.path, err).Error()}
	}
	// Free the disk as soon as the tree is catalogued: large applications
	// would otherwise hold every artifact unpacked until the end of the run.
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			cfg.Logger.Warn("removing unpacked artifact", "dir", dir, "err", err)
		}
	}()
	switch j.kind {
	case kindImage:
		return catalogImage(ctx, cfg, j, j.path, dir)
	case kindRemote:
		return catalogRemote(ctx, cfg, ws, j, dir)
	}
	var res *unpack.Result
	switch j.kind {
	case kindFolder:
		res, err = unpack.Dir(ctx, j.path, dir, cfg.Limits)
	case kindAsIs:
		res, err = unpack.File(ctx, j.path, dir, cfg.Limits)
	default:
		res, err = unpack.Zip(ctx, j.path, dir, cfg.Limits)
	}
	if err != nil {
		return nil, []string{err.Error()}
	}
	errs := unpackProblems(cfg, j, res)
	pkgs, err := catalog.Dir(ctx, dir, "", catalog.Config{Parallelism: 1, ToolVersion: cfg.ToolVersion})
	if err != nil {
		errs = append(errs, err.Error())
	}
	recovered, err := recoverBundled(ctx, cfg, j, dir, pkgs)
	if err != nil {
		errs = append(errs, err.Error())
	}
	return append(pkgs, recovered...), errs
}

// unpackProblems lists the rejected entries of an unpacked artifact (they
// make it incomplete) and logs its notes.
func unpackProblems(cfg Config, j *job, res *unpack.Result) []string {
	var errs []string
	for _, rej := range res.Rejected {
		errs = append(errs, rej.Error())
	}
	for _, n := range res.Notes {
		cfg.Logger.Debug("unpack note", "artifact", j.path, "note", n)
	}
	return errs
}

// catalogImage flattens a container image (its layers applied in order,
// whiteouts honoured) into dir and catalogues the root filesystem. Each
// package's location names the layer that last wrote its file:
// "<layer blob in the archive>!/<path in the image>".
func catalogImage(ctx context.Context, cfg Config, j *job, archive, dir string) ([]sbom.Package, []string) {
	im, err := image.Open(ctx, archive, j.ref)
	if errors.Is(err, image.ErrRefNotFound) {
		im, err = image.Open(ctx, archive, "") // the archive's only image
	}
	if err != nil {
		return nil, []string{err.Error()}
	}
	res, err := im.Flatten(ctx, dir, cfg.ImageLimits)
	if err != nil {
		return nil, []string{err.Error()}
	}
	errs := unpackProblems(cfg, j, &res.Result)
	pkgs, err := catalog.Dir(ctx, dir, "", catalog.Config{Parallelism: 1, ToolVersion: cfg.ToolVersion})
	if err != nil {
		errs = append(errs, err.Error())
	}
	for i := range pkgs {
		file, _, _ := strings.Cut(pkgs[i].Location, "!/")
		if layer := res.Origin(file); layer != "" {
			pkgs[i].Location = layer + "!/" + pkgs[i].Location
		}
	}
	return pkgs, errs
}

// catalogRemote pulls an image from its registry into the workspace (an
// OCI layout), then catalogues it as a local image.
func catalogRemote(ctx context.Context, cfg Config, ws *unpack.Workspace, j *job, dir string) ([]sbom.Package, []string) {
	pullDir, err := ws.MkdirTemp("pull-*")
	if err != nil {
		return nil, []string{fmt.Errorf("%s: creating temp dir: %w", j.path, err).Error()}
	}
	defer os.RemoveAll(pullDir)
	cfg.Logger.Info("pulling image", "ref", j.ref)
	layout, err := image.Pull(ctx, j.ref, pullDir, cfg.ImageLimits)
	if err != nil {
		return nil, []string{err.Error()}
	}
	return catalogImage(ctx, cfg, &job{path: j.path, role: j.role}, layout, dir)
}

// fileSHA256 hashes an artifact file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (j *job) key() string {
	if j.kind == kindRemote {
		return j.path
	}
	return key(bundle.Artifact{Path: j.path, Ref: j.ref})
}
