package serverless

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
)

// codeArtifact is a function's code: its own package.artifact, else the
// service's package.artifact, else what `serverless package` writes:
// .serverless/<function>.zip when packaged individually (service-wide or
// for this function), .serverless/<service>.zip otherwise.
func (s *service) codeArtifact(name string, body *yaml.Node) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleCode, Name: name, Mount: "/var/task"}
	for _, v := range []*yaml.Node{s.t.get(body, "package", "artifact"), s.t.get(s.pkg, "artifact")} {
		if s.given(v) {
			a.Path, a.Problem = s.artifactPath(v, "the code of function "+name)
			return a
		}
	}
	if s.individually(body) {
		a.Path = filepath.Join(s.packDir, name+".zip")
		return a
	}
	if s.name == "" {
		a.Problem = "the service name is unknown, so the service's package .serverless/<service>.zip is unknown: " +
			"run `serverless package` and scan the folder holding .serverless/"
		return a
	}
	a.Path = filepath.Join(s.packDir, s.name+".zip")
	return a
}

// given says whether an artifact setting is present (the state file
// writes "artifact": "" for none).
func (s *service) given(v *yaml.Node) bool {
	if v == nil {
		return false
	}
	str, unres := s.t.str(v)
	return str != "" || unres != "" || v.Kind != yaml.ScalarNode
}

// individually says whether a function is packaged on its own.
func (s *service) individually(body *yaml.Node) bool {
	if b, known, _ := s.t.boolean(s.t.get(body, "package", "individually")); known {
		return b
	}
	b, _, _ := s.t.boolean(s.t.get(s.pkg, "individually"))
	return b
}

// artifactPath resolves a package.artifact setting to a local path, or
// says why the artifact is not available locally.
func (s *service) artifactPath(v *yaml.Node, what string) (p, problem string) {
	raw, unres := s.t.str(v)
	switch {
	case unres != "":
		s.notes.add(s.at(v), "artifact %s is unresolved", raw)
		return "", fmt.Sprintf("%s is at %s, which is unresolved: run `serverless package` and scan the folder holding .serverless/", what, raw)
	case raw == "":
		return "", fmt.Sprintf("%s is given as %s, not a path", what, s.t.kindName(v))
	case isURL(raw):
		return "", fmt.Sprintf("%s is in S3 (%s), not available locally: download it and point package.artifact at the file", what, raw)
	case s.state:
		return s.statePath(raw), ""
	case filepath.IsAbs(raw):
		return raw, ""
	}
	return filepath.Join(s.appDir, raw), ""
}

func isURL(s string) bool {
	for _, scheme := range []string{"s3://", "https://", "http://"} {
		if strings.HasPrefix(strings.ToLower(s), scheme) {
			return true
		}
	}
	return false
}

// statePath maps an artifact path of a state file to this machine. The
// framework writes absolute paths of the machine that packaged the
// service (/home/runner/work/app/app/.serverless/createOrder.zip, or
// D:\a\app\app\.serverless\createOrder.zip): a file of its .serverless
// folder is looked for in the .serverless folder beside the state file;
// another file under the same service folder, under this service folder;
// a relative path is relative to the service folder.
func (s *service) statePath(raw string) string {
	p := normalizeSlashes(raw)
	if !isAbsAnywhere(p) {
		return filepath.Join(s.appDir, filepath.FromSlash(cleanRel(p)))
	}
	if i := strings.LastIndex(p, "/"+packagedDir+"/"); i >= 0 {
		return filepath.Join(s.packDir, filepath.FromSlash(cleanRel(p[i+len(packagedDir)+2:])))
	}
	if s.ciRoot != "" && strings.HasPrefix(p, s.ciRoot+"/") {
		return filepath.Join(s.appDir, filepath.FromSlash(cleanRel(p[len(s.ciRoot)+1:])))
	}
	return filepath.Join(s.packDir, path.Base(p))
}

// normalizeSlashes turns Windows separators into slashes.
func normalizeSlashes(p string) string {
	return strings.ReplaceAll(p, `\`, "/")
}

// isAbsAnywhere says whether a slash path is absolute on Unix or Windows.
func isAbsAnywhere(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))
}

// cleanRel cleans a relative slash path; one climbing out of its folder
// is reduced to its base name.
func cleanRel(p string) string {
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "/") {
		return path.Base(c)
	}
	return c
}

// ciRootOf finds the service folder on the machine that packaged the
// service: the parent of the .serverless folder of any absolute artifact
// path in the state.
func ciRootOf(paths []string) string {
	for _, raw := range paths {
		p := normalizeSlashes(raw)
		if !isAbsAnywhere(p) {
			continue
		}
		if i := strings.LastIndex(p, "/"+packagedDir+"/"); i >= 0 {
			return p[:i]
		}
	}
	return ""
}

// layerArtifacts are a function's layers in the order it lists them (the
// provider's `layers` when the function has none).
func (s *service) layerArtifacts(e fnEntry, body *yaml.Node) []bundle.Artifact {
	_, list := s.t.entry(body, "layers")
	if list == nil {
		_, list = s.t.entry(s.provider, "layers")
	}
	if list == nil || s.t.deref(list) == nil {
		return nil
	}
	if !s.t.isSeq(list) {
		what := s.t.describe(list)
		s.notes.add(s.at(list), "layers of function %s are %s, not a list: not read", e.name, what)
		return []bundle.Artifact{{Role: bundle.RoleLayer, Name: what, Mount: "/opt",
			Problem: "layers " + what + " cannot be resolved: not available locally"}}
	}
	var out []bundle.Artifact
	for _, item := range s.t.items(list) {
		out = append(out, s.layerArtifact(item))
	}
	return out
}

// layerArtifact resolves one entry of a function's layers: a reference to
// a layer of this service ({Ref: CommonLibsLambdaLayer}, or the ARN of its
// published name), or a layer published elsewhere (not available locally).
func (s *service) layerArtifact(item *yaml.Node) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleLayer, Mount: "/opt"}
	if id, ok := s.t.logicalRef(item); ok {
		if key, own := s.layerByLogicalID(id); own {
			return s.ownLayer(key)
		}
		a.Name = id
		a.Problem = "layer !Ref " + id + " is not a layer of this service's layers section: not available locally"
		if typ, _, found := s.resources.resource(id); found && typ == "AWS::Lambda::LayerVersion" {
			a.Problem = "layer " + id + " is an AWS::Lambda::LayerVersion of resources.Resources, with its content in S3: not available locally"
		}
		return a
	}
	str, unres := s.t.str(item)
	switch {
	case unres != "":
		s.notes.add(s.at(item), "layer %s is unresolved", str)
		a.Name = str
		a.Problem = "layer " + str + " is unresolved: not available locally"
	case strings.HasPrefix(str, "arn:"):
		a.Name = layerARNName(str)
		if key, own := s.layerByName(a.Name); own {
			return s.ownLayer(key)
		}
		a.Problem = "layer " + str + " is published outside this service: not available locally"
	default:
		a.Name = s.t.describe(item)
		a.Problem = "layer " + a.Name + " cannot be resolved locally: not available locally"
	}
	return a
}

// layerARNName is the name in arn:aws:lambda:region:account:layer:NAME:VERSION.
func layerARNName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[5] == "layer" {
		return parts[6]
	}
	return arn
}

// layerIndex maps the layers of the layers section by logical id
// (normalized name + "LambdaLayer") and by published name (its `name`,
// else its key) to their key.
type layerIndex struct {
	byID, byName map[string]string
}

func (s *service) layerIndex() layerIndex {
	if s.ownLayers.byID != nil {
		return s.ownLayers
	}
	idx := layerIndex{byID: map[string]string{}, byName: map[string]string{}}
	for _, p := range s.t.pairs(s.layers) {
		idx.byID[normalizedName(p.key)+"LambdaLayer"] = p.key
		published, _ := s.t.str(s.t.get(p.v, "name"))
		if published == "" {
			published = p.key
		}
		idx.byName[published] = p.key
	}
	s.ownLayers = idx
	return idx
}

// layerByLogicalID finds the layer of the layers section whose logical id is id.
func (s *service) layerByLogicalID(id string) (string, bool) {
	key, ok := s.layerIndex().byID[id]
	return key, ok
}

// layerByName finds the layer of the layers section published under name.
func (s *service) layerByName(name string) (string, bool) {
	key, ok := s.layerIndex().byName[name]
	return key, ok
}

// ownLayer is a layer of the service: its package.artifact, else
// .serverless/<layer>.zip, which `serverless package` writes.
func (s *service) ownLayer(key string) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleLayer, Name: key, Mount: "/opt"}
	if v := s.t.get(s.layers, key, "package", "artifact"); s.given(v) {
		a.Path, a.Problem = s.artifactPath(v, "layer "+key)
		return a
	}
	a.Path = filepath.Join(s.packDir, key+".zip")
	return a
}

// imageArtifact is a container image function's image: a local archive
// (.serverless/<image name>.tar or .serverless/<function>.tar, as `docker
// save` writes it) when there is one, else a problem saying how to make
// one.
func (s *service) imageArtifact(fn string, img *yaml.Node) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleImage, Name: fn}
	ref, name, context := s.imageSource(fn, img)
	var candidates []string
	if name != "" {
		candidates = append(candidates, name+".tar")
	}
	for _, c := range append(candidates, fn+".tar") {
		if p := filepath.Join(s.packDir, c); isFile(p) {
			a.Path = p
			return a
		}
	}
	out := filepath.Join(s.packDir, fn+".tar")
	switch {
	case ref != "":
		a.Problem = fmt.Sprintf("image %s is in a registry, not in a local archive: scan with --allow-network to pull it, "+
			"or save it with `docker save %s -o %s` and scan again", ref, ref, out)
		a.Remote = ref
	case context != "":
		a.Problem = fmt.Sprintf("image %s is built from %s and pushed to ECR by `serverless deploy`, not kept locally: "+
			"build it and save it with `docker save IMAGE -o %s`, then scan again", name, context, out)
	default:
		a.Problem = fmt.Sprintf("image %s cannot be resolved: save the function's image with `docker save IMAGE -o %s` and scan again",
			s.t.describe(img), out)
	}
	return a
}

// imageSource reads `image`: a URI, the name of a provider.ecr.images
// entry, or a mapping with uri or name. It returns the image reference
// when known, the ECR image name and its build context.
func (s *service) imageSource(fn string, img *yaml.Node) (ref, name, context string) {
	t := s.t
	if t.isMap(img) {
		ref, _ = t.str(t.get(img, "uri"))
		name, _ = t.str(t.get(img, "name"))
	} else if v, unres := t.str(img); unres == "" {
		if strings.ContainsAny(v, "/@:") {
			ref = v
		} else {
			name = v
		}
	}
	if name != "" {
		def := t.get(s.provider, "ecr", "images", name)
		if ref == "" {
			ref, _ = t.str(t.get(def, "uri"))
		}
		context, _ = t.str(t.get(def, "path"))
	}
	if _, props, ok := s.compiled.resource(normalizedName(fn) + "LambdaFunction"); ok {
		if uri, _ := s.compiled.t.str(s.compiled.t.get(props, "Code", "ImageUri")); uri != "" {
			ref = uri
		}
	}
	return ref, name, context
}
