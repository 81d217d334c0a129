package terraform

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxModulesJSON bounds the size of .terraform/modules/modules.json.
const maxModulesJSON = 8 << 20

// localPath resolves a local file named by attribute attr of r (a
// function's filename, a bucket object's source).
//
// Terraform reads such paths relative to the folder it runs in, the root
// module's, so a value built with path.module, a variable or another
// reference is joined onto the plan's folder. A literal written in a child
// module is taken as relative to that module's folder, unless only the
// root-relative file exists.
func (p *plan) localPath(r *resource, attr, v string) string {
	v = filepath.FromSlash(v)
	if filepath.IsAbs(v) {
		return filepath.Clean(v)
	}
	rootRel := filepath.Join(p.dir, v)
	if r.mod == nil || r.mod.parent == nil {
		return rootRel
	}
	md := p.moduleDir(r.mod, 0)
	sep := string(filepath.Separator)
	if md == "" || strings.HasPrefix(filepath.Clean(v)+sep, md+sep) {
		return rootRel // ${path.module}/...
	}
	e := r.expr(attr)
	if e == nil || len(exprRefs(e)) > 0 {
		return rootRel
	}
	modRel := filepath.Join(p.dir, md, v)
	if filepath.IsAbs(md) {
		modRel = filepath.Join(md, v)
	}
	if !exists(modRel) && exists(rootRel) {
		return rootRel
	}
	return modRel
}

// exists says whether a path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// moduleDir returns a module's folder relative to the root module's: from
// .terraform/modules/modules.json when terraform init wrote it, else the
// local source joined onto the parent's folder, else where terraform init
// puts downloaded modules.
func (p *plan) moduleDir(m *module, depth int) string {
	if m.parent == nil || depth > maxDepth {
		return ""
	}
	if d, ok := p.moduleDirs[m.key]; ok {
		return filepath.Clean(filepath.FromSlash(d))
	}
	src := m.source
	if src == "." || src == ".." || strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") ||
		strings.HasPrefix(src, `.\`) || strings.HasPrefix(src, `..\`) {
		return filepath.Join(p.moduleDir(m.parent, depth+1), filepath.FromSlash(src))
	}
	return filepath.Join(".terraform", "modules", m.key)
}

// readModuleDirs reads .terraform/modules/modules.json beside the plan, if
// there is one. It is a convenience: a missing or unreadable file is no
// error.
func readModuleDirs(dir string) map[string]string {
	f, err := os.Open(filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var doc struct {
		Modules []struct {
			Key string `json:"Key"`
			Dir string `json:"Dir"`
		} `json:"Modules"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxModulesJSON)).Decode(&doc); err != nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range doc.Modules {
		if m.Key != "" && m.Dir != "" {
			out[m.Key] = m.Dir
		}
	}
	return out
}
