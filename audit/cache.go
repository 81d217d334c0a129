package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/catalog"
)

// cache keeps catalogued package lists across runs, keyed by the artifact's
// digest, the image picked in it, how it was read and the cataloguer's
// version, so an unchanged layer costs one hash next time. Only complete
// catalogues are kept: an artifact with errors is catalogued again.
type cache struct {
	dir string // "" disables the cache
}

// cacheEntry is one cached catalogue.
type cacheEntry struct {
	Cataloguer string         `json:"cataloguer"`
	Packages   []sbom.Package `json:"packages"`
}

func (c cache) path(j *job) string {
	h := sha256.New()
	for _, part := range []string{j.res.sha256, j.ref, string(rune('0' + j.kind)), catalog.Version()} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	key := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.dir, key[:2], key+".json")
}

// get returns the cached packages of j, if any. A missing, unreadable or
// foreign entry is a miss.
func (c cache) get(j *job) ([]sbom.Package, bool) {
	if c.dir == "" || j.res.sha256 == "" {
		return nil, false
	}
	b, err := os.ReadFile(c.path(j))
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Cataloguer != catalog.Version() {
		return nil, false
	}
	return e.Packages, true
}

// put stores a complete catalogue, written beside its name and renamed so a
// concurrent reader never sees half of it. Failing to cache is not an error
// of the audit.
func (c cache) put(j *job, pkgs []sbom.Package) error {
	if c.dir == "" || j.res.sha256 == "" || len(j.res.errors) > 0 {
		return nil
	}
	p := c.path(j)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(cacheEntry{Cataloguer: catalog.Version(), Packages: pkgs})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".entry-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}
