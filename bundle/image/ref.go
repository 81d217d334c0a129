package image

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// matches reports whether ref names the candidate: the same string as one
// of its names, the same reference once both are normalised by
// go-containerregistry ("ubuntu" is "index.docker.io/library/ubuntu:latest"),
// the tag of ref when a name is a bare tag (OCI layouts often name images
// "1.4.2"), or, for "repo@sha256:...", its manifest digest.
func (c candidate) matches(ref string) bool {
	want, err := name.ParseReference(ref)
	for _, n := range c.names {
		if n == ref {
			return true
		}
		if err != nil {
			continue
		}
		if have, herr := name.ParseReference(n); herr == nil && have.Name() == want.Name() {
			return true
		}
		if t, ok := want.(name.Tag); ok && isBareTag(n) && t.TagStr() == n {
			return true
		}
	}
	d, ok := want.(name.Digest)
	return ok && c.digest != "" && d.DigestStr() == c.digest
}

// isBareTag reports whether an OCI ref.name is a tag alone, not a reference.
func isBareTag(n string) bool {
	return n != "" && !strings.ContainsAny(n, "/:@")
}
