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
	if ref, ok := strings.CutPrefix(path, RegistryScheme); ok {
		return registryImage(ref), nil
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
	if fi.IsDir() && !isOCILayout(path) {
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
	art := Artifact{Role: RoleCode, Name: name, Path: path, Mount: "/var/task"}
	pkgType := "zip"
	if isOCILayout(path) || isTar(path) {
		art.Role, art.Mount, pkgType = RoleImage, "/", "image"
	}
	fn := &Function{
		Name:        name,
		PackageType: pkgType,
		Source:      Location{File: path},
		Artifacts:   []Artifact{art},
		Role:        Role{Privilege: PrivilegeUnknown},
		Standalone:  true,
	}
	return &Application{Name: name, Kind: KindBundle, Manifest: path, Functions: []*Function{fn}}
}

// isOCILayout says whether dir is an OCI image layout (it holds an
// oci-layout file).
func isOCILayout(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "oci-layout"))
	return err == nil && fi.Mode().IsRegular()
}

// isTar says whether path is a tar archive (docker save output, an OCI
// layout tar): by its name, or by the ustar magic at offset 257.
func isTar(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".tar") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 5)
	if _, err := f.ReadAt(magic, 257); err != nil {
		return false
	}
	return string(magic) == "ustar"
}

// RegistryScheme prefixes a PATH that names an image in a registry
// ("registry:ghcr.io/org/app:1.2"), as syft and grype spell it.
const RegistryScheme = "registry:"

// registryImage is the application made of one image in a registry: one
// function, exposure and privilege unknown. Naming the registry on the
// command line is the user's permission to pull from it.
func registryImage(ref string) *Application {
	fn := &Function{
		Name:        ref,
		PackageType: "image",
		Source:      Location{File: RegistryScheme + ref},
		Artifacts:   []Artifact{{Role: RoleImage, Name: ref, Remote: ref, Mount: "/"}},
		Role:        Role{Privilege: PrivilegeUnknown},
		Standalone:  true,
	}
	return &Application{Name: ref, Kind: KindBundle, Manifest: RegistryScheme + ref, Functions: []*Function{fn}}
}
