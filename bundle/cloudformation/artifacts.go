package cloudformation

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// mount is where Lambda places an artifact of a role.
func mount(role bundle.ArtifactRole) string {
	switch role {
	case bundle.RoleCode:
		return "/var/task"
	case bundle.RoleLayer:
		return "/opt"
	}
	return "/"
}

// local is an artifact at a path the template gives relative to its folder.
func (b *builder) local(role bundle.ArtifactRole, name, rel string) bundle.Artifact {
	p := rel
	if !filepath.IsAbs(rel) {
		p = filepath.Join(b.s.dir, filepath.FromSlash(rel))
	}
	return bundle.Artifact{Role: role, Name: name, Path: p, Mount: mount(role)}
}

// problem is an artifact that cannot be read locally, and why.
func problem(role bundle.ArtifactRole, name, format string, args ...any) bundle.Artifact {
	return bundle.Artifact{Role: role, Name: name, Mount: mount(role), Problem: fmt.Sprintf(format, args...)}
}

// s3Problem says that an artifact is in S3 and how to audit it.
func s3Problem(role bundle.ArtifactRole, name, url string) bundle.Artifact {
	what := "code"
	if role == bundle.RoleLayer {
		what = "layer " + name
	}
	return problem(role, name, "%s is in S3 (%s): audit the template before `sam package`/`aws cloudformation package` "+
		"(where it is a local path), or download the object and audit it", what, url)
}

// s3URL renders an S3 location from its bucket and key values.
func s3URL(bucket, key *node) string {
	return "s3://" + display(bucket) + "/" + display(key)
}

// location reads a SAM CodeUri/ContentUri value: a local path (folder or
// zip), an s3:// URI, or {Bucket, Key}.
func (b *builder) location(role bundle.ArtifactRole, name, prop string, raw *node) bundle.Artifact {
	v := b.s.ev.eval(raw)
	switch v.kind {
	case kindString:
		if isRemoteURI(v.str) {
			return s3Problem(role, name, v.str)
		}
		return b.local(role, name, v.str)
	case kindMap:
		return s3Problem(role, name, s3URL(v.get("Bucket"), v.get("Key")))
	case kindUnresolved:
		b.warnUnresolved(raw.line, prop+" of "+name, v)
		return problem(role, name, "%s is unresolved at %s (%s): give it a literal local path to audit it",
			prop, b.s.where(raw.line), reason(v))
	}
	b.s.warnf(raw.line, "%s of %s is %s, not a path or an S3 location", prop, name, v.describe())
	return problem(role, name, "%s at %s is %s, not a path or an S3 location", prop, b.s.where(raw.line), v.describe())
}

// isRemoteURI says whether a location is in S3 (s3:// or an S3 https URL).
func isRemoteURI(s string) bool {
	return strings.HasPrefix(s, "s3://") ||
		(strings.HasPrefix(s, "https://") && strings.Contains(s, ".amazonaws.com"))
}

// lambdaCode reads an AWS::Lambda::Function's Code (or a LayerVersion's
// Content): a local path string (what `aws cloudformation package`
// uploads), {S3Bucket, S3Key}, {ZipFile} (inline), and CDK asset metadata.
func (b *builder) lambdaCode(r *resource, role bundle.ArtifactRole, name, prop string) bundle.Artifact {
	if a, ok := b.assets.artifact(b, r, role, name); ok {
		return a
	}
	raw := r.props.get(prop)
	if raw == nil {
		b.s.warnf(r.line, "%s has no %s", r.id, prop)
		return problem(role, name, "%s has no %s at %s", r.id, prop, b.s.where(r.line))
	}
	v := b.s.ev.eval(raw)
	switch v.kind {
	case kindString:
		if isRemoteURI(v.str) {
			return s3Problem(role, name, v.str)
		}
		return b.local(role, name, v.str)
	case kindMap:
		if v.get("ZipFile") != nil {
			return problem(role, name, "code is inline in the template (%s.ZipFile at %s): it holds no packages to audit; "+
				"keep it in a folder and give that path instead to audit its dependencies", prop, b.s.where(raw.line))
		}
		if v.get("S3Bucket") != nil || v.get("S3Key") != nil {
			return s3Problem(role, name, s3URL(v.get("S3Bucket"), v.get("S3Key")))
		}
	case kindUnresolved:
		b.warnUnresolved(raw.line, prop+" of "+r.id, v)
		return problem(role, name, "%s is unresolved at %s (%s)", prop, b.s.where(raw.line), reason(v))
	}
	b.s.warnf(raw.line, "%s of %s is %s, not a path, {S3Bucket, S3Key} or {ZipFile}", prop, r.id, v.describe())
	return problem(role, name, "%s at %s is neither a local path nor an S3 location", prop, b.s.where(raw.line))
}

// maxLayers is how many layers Lambda applies to a function.
const maxLayers = 5

// layers reads a function's Layers in order: references to layer
// resources of the template, or layer ARNs (published elsewhere).
func (b *builder) layers(fnName string, raw *node) []bundle.Artifact {
	if raw == nil {
		return nil
	}
	v := b.s.ev.eval(raw)
	if v.kind != kindList {
		if v.kind == kindUnresolved {
			b.warnUnresolved(raw.line, "Layers of "+fnName, v)
			return []bundle.Artifact{problem(bundle.RoleLayer, "Layers", "the layers are unresolved at %s (%s)", b.s.where(raw.line), reason(v))}
		}
		b.s.warnf(raw.line, "Layers of %s is %s, not a list", fnName, v.describe())
		return nil
	}
	items := v.list
	if len(items) > maxLayers {
		b.s.warnf(raw.line, "%s lists %d layers: Lambda accepts at most %d, the others are not read", fnName, len(items), maxLayers)
		items = items[:maxLayers]
	}
	out := make([]bundle.Artifact, 0, len(items))
	for _, item := range items {
		out = append(out, b.layer(fnName, item))
	}
	return out
}

func (b *builder) layer(fnName string, v *node) bundle.Artifact {
	if r := b.s.firstRefOfType(v, typeSAMLayer, typeLambdaLayer); r != nil {
		if r.typ == typeSAMLayer {
			if raw := r.props.get("ContentUri"); raw != nil {
				return b.location(bundle.RoleLayer, r.id, "ContentUri", raw)
			}
			b.s.warnf(r.line, "layer %s has no ContentUri", r.id)
			return problem(bundle.RoleLayer, r.id, "layer %s has no ContentUri at %s", r.id, b.s.where(r.line))
		}
		return b.lambdaCode(r, bundle.RoleLayer, r.id, "Content")
	}
	if v.kind == kindString && len(v.refs) > 0 && b.s.resources[v.refs[0]] != nil {
		r := b.s.resources[v.refs[0]]
		b.s.warnf(v.line, "a layer of %s refers to %s, a %s, not a layer version", fnName, r.id, r.typ)
		return problem(bundle.RoleLayer, r.id, "layer %s at %s is a %s, not a layer version", r.id, b.s.where(v.line), r.typ)
	}
	switch v.kind {
	case kindString:
		name := layerNameFromARN(v.str)
		return problem(bundle.RoleLayer, name, "layer %s is published outside this template: download it "+
			"(`aws lambda get-layer-version-by-arn --arn %s` gives its Content.Location) and audit the zip", v.str, v.str)
	case kindUnresolved:
		b.warnUnresolved(v.line, "a layer of "+fnName, v)
		return problem(bundle.RoleLayer, display(v), "layer %s is unresolved at %s (%s)", display(v), b.s.where(v.line), v.why)
	}
	b.s.warnf(v.line, "a layer of %s is %s, not a layer ARN", fnName, v.describe())
	return problem(bundle.RoleLayer, "layer", "a layer at %s is %s, not a layer ARN", b.s.where(v.line), v.describe())
}

// layerNameFromARN returns "name:version" of a layer version ARN
// (arn:aws:lambda:region:account:layer:name:version), else the ARN.
func layerNameFromARN(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 8 && parts[5] == "layer" {
		return parts[6] + ":" + parts[7]
	}
	return arn
}

// image finds the local archive of a container image function: a
// docker-archive whose RepoTags hold the image URI (or the tag `sam build`
// gives the image), near the template.
func (b *builder) image(r *resource, name string, uri *node, meta *node) bundle.Artifact {
	var candidates []string
	var v *node
	if uri != nil {
		v = b.s.ev.eval(uri)
		if v.kind == kindString {
			candidates = append(candidates, v.str)
		}
	}
	dockerContext := b.str(meta.get("DockerContext"))
	if tag := b.str(meta.get("DockerTag")); tag != "" || dockerContext != "" {
		if tag == "" {
			tag = "latest"
		}
		candidates = append(candidates, strings.ToLower(name)+":"+tag)
	}
	if p, ref := b.images.find(b.ctx, candidates); p != "" {
		return bundle.Artifact{Role: bundle.RoleImage, Name: name, Path: p, Ref: ref, Mount: mount(bundle.RoleImage)}
	}
	switch {
	case v != nil && v.kind == kindString:
		a := problem(bundle.RoleImage, name, "image %s is only in a registry: scan with --allow-network to pull it, or save it next to the template with "+
			"`docker save %s -o %s.tar` (fnaudit finds archives by their RepoTags, up to 3 folders deep)", v.str, v.str, name)
		a.Remote = v.str
		return a
	case dockerContext != "":
		return problem(bundle.RoleImage, name, "image is built by `sam build` from DockerContext %s and is not saved locally: "+
			"build it, then `docker save %s -o %s.tar` next to the template", dockerContext, candidates[len(candidates)-1], name)
	case v != nil:
		b.warnUnresolved(uri.line, "ImageUri of "+name, v)
		return problem(bundle.RoleImage, name, "ImageUri is unresolved at %s (%s): save the image with `docker save` "+
			"next to the template and give ImageUri its tag", b.s.where(uri.line), reason(v))
	}
	b.s.warnf(r.line, "image function %s has no ImageUri", r.id)
	return problem(bundle.RoleImage, name, "image function %s has no ImageUri", name)
}
