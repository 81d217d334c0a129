package bundle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrInput marks errors in what the user asked fnaudit to read: a path that
// does not exist, a file of a kind fnaudit does not know. Nothing can be
// audited; the CLI exits with code 2.
var ErrInput = errors.New("input error")

// Load reads the deployment at path with the first loader that detects its
// manifest (loaders are tried in order). A file no loader claims is one
// function's deployment zip (or jar), whose exposure is unknown. A
// directory no loader claims, or a manifest that cannot be parsed, is an
// error wrapping [ErrInput].
func Load(ctx context.Context, path string, loaders []Loader) (*Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInput, path, notExistHint(err))
	}
	for _, l := range loaders {
		manifest, ok := l.Detect(path)
		if !ok {
			continue
		}
		app, err := l.Load(ctx, manifest)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return app, nil
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%w: no deployment manifest found in %s: give the folder holding serverless.yml, "+
			"template.yaml, cdk.out, a Terraform plan JSON or host.json, a manifest file, or a function's zip", ErrInput, path)
	}
	// A file is audited as a deployment zip whatever it holds: a corrupt or
	// hostile one fails its function when it is unpacked (exit 3), it is not
	// a usage error.
	return singleArtifact(path), nil
}

func notExistHint(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return errors.New("no such file or directory")
	}
	return err
}

// singleArtifact is the application made of one artifact given without a
// manifest: one function named after the file, code at /var/task, no
// triggers (exposure unknown), no role (privilege unknown).
func singleArtifact(path string) *Application {
	base := filepath.Base(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	fn := &Function{
		Name:        name,
		PackageType: "zip",
		Source:      Location{File: path},
		Artifacts:   []Artifact{{Role: RoleCode, Name: name, Path: path, Mount: "/var/task"}},
		Role:        Role{Privilege: PrivilegeUnknown},
		Standalone:  true,
	}
	return &Application{Name: name, Kind: KindBundle, Manifest: path, Functions: []*Function{fn}}
}
