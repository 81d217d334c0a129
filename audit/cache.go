package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/bundled"
	"github.com/fnaudit/fnaudit/sbom/catalog"
)

// cache keeps catalogued package lists across runs, keyed by the artifact's
// digest, the image picked in it, how it was read, the cataloguer's and
// the bundle recovery's versions and, for code, the digest of the lockfile
// that pinned bundled versions, so an unchanged layer costs one hash next
// time. Only complete catalogues are kept: an artifact with errors is
// catalogued again.
type cache struct {
	dir string // "" disables the cache
}

// cacheEntry is one cached catalogue.
type cacheEntry struct {
	Cataloguer string         `json:"cataloguer"`
	Packages   []sbom.Package `json:"packages"`
	// Bundled are the bundle recovery's warnings (sbom/bundled).
	Bundled []string `json:"bundled,omitempty"`
}

// cataloguer names what produced a cached catalogue.
func cataloguer() string { return catalog.Version() + "; " + bundled.Version }

func (c cache) path(j *job) string {
	h := sha256.New()
	for _, part := range []string{j.res.sha256, j.ref, string(rune('0' + j.kind)), cataloguer(), j.lockSum} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	key := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.dir, key[:2], key+".json")
}

// get returns the cached catalogue of j, if any. A missing, unreadable or
// foreign entry is a miss.
func (c cache) get(j *job) (cacheEntry, bool) {
	if c.dir == "" || j.res.sha256 == "" {
		return cacheEntry{}, false
	}
	b, err := os.ReadFile(c.path(j))
	if err != nil {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Cataloguer != cataloguer() {
		return cacheEntry{}, false
	}
	return e, true
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
	b, err := json.Marshal(cacheEntry{Cataloguer: cataloguer(), Packages: pkgs, Bundled: j.res.bundled})
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
