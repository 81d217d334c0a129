package terraform

import (
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// function is a function of the plan and the resource it comes from.
type function struct {
	res *resource
	fn  *bundle.Function
	// name is the deployed name (function_name, GCP name) used to match
	// triggers that name the function by value.
	name string
	// arn is the function's ARN when known at plan time.
	arn string
	// from holds the types of the triggers read from trigger resources,
	// before permissions are read.
	from map[string]bool
	// triggerKeys holds the triggers attached, to attach each once.
	triggerKeys map[string]bool
}

// awsFunction reads an aws_lambda_function: name, runtime, handler, code and
// layers. Triggers and the role are added later.
func (p *plan) awsFunction(r *resource) *function {
	name, st := p.str(r, "function_name")
	if name == "" {
		if st == unknown {
			p.warn(r, "function_name is only known after apply: the function is named after its address")
		}
		name = r.addr
	}
	f := &function{res: r, name: name, fn: &bundle.Function{
		Name:   functionName(r, name),
		Source: bundle.Location{File: p.file, Line: r.line},
	}}
	f.arn, _ = p.str(r, "arn")
	f.fn.Runtime, _ = p.str(r, "runtime")
	f.fn.Handler, _ = p.str(r, "handler")
	pkg, _ := p.str(r, "package_type")
	image, imageState := p.str(r, "image_uri")
	if strings.EqualFold(pkg, "Image") || image != "" {
		f.fn.PackageType = "image"
		f.fn.Artifacts = []bundle.Artifact{p.imageArtifact(r, f.fn.Name, image, imageState)}
		return f
	}
	f.fn.PackageType = "zip"
	f.fn.Artifacts = append([]bundle.Artifact{p.codeArtifact(r, f.fn.Name)}, p.layers(r)...)
	return f
}

// functionName names a function the way its developers find it: a root
// module's function by its resource name and instance key
// (aws_lambda_function.signup → "signup"), a child module's by its deployed
// name, because modules name their resources generically
// (module.items.aws_lambda_function.this → "shop-items").
func functionName(r *resource, deployed string) string {
	if r.module == "" {
		return r.name + r.key
	}
	return deployed
}

// imageArtifact is the container image of a function: only in a registry.
func (p *plan) imageArtifact(r *resource, name, image string, st state) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleImage, Name: name, Path: image, Mount: "/"}
	switch {
	case image != "":
		a.Problem = fmt.Sprintf("image only in a registry (%s): scan with --allow-network to pull it, or save it to a local archive "+
			"(crane pull %s image.tar, or docker save) and scan that", image, image)
		a.Remote = image
	case st == unknown:
		p.warn(r, "image_uri is only known after apply")
		a.Problem = "the image URI is only known after apply: push the image first, then plan again, or scan a saved image archive"
	default:
		a.Problem = "the function has package_type Image but no image_uri"
	}
	return a
}

// codeArtifact is the deployment package of a zip function or layer: a local
// file, or a Problem saying where the code is instead.
func (p *plan) codeArtifact(r *resource, name string) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleCode, Name: name, Mount: "/var/task"}
	if r.typ == "aws_lambda_layer_version" {
		a.Role, a.Mount = bundle.RoleLayer, "/opt"
	}
	file, fileState := p.str(r, "filename")
	if fileState == unknown {
		file, fileState = p.fromArchive(r)
	}
	bucket, bucketState := p.str(r, "s3_bucket")
	key, _ := p.str(r, "s3_key")
	switch {
	case file != "":
		a.Path = p.localPath(r, "filename", file)
	case bucket != "" || key != "" || bucketState == unknown:
		a.Path = s3URL(bucket, key)
		a.Problem = fmt.Sprintf("the code is in S3 (%s), not on disk: download it (aws s3 cp %s .) "+
			"and scan the zip, or plan with the local filename", a.Path, a.Path)
	case fileState == unknown:
		p.warn(r, "filename is only known after apply")
		a.Problem = "the package's filename is only known after apply: build the package before planning so the plan names it"
	default:
		a.Problem = "the plan names no code for it (no filename, s3_bucket or image_uri)"
	}
	return a
}

// fromArchive finds the file behind a filename that is unknown at plan
// time through its configuration references (data.archive_file.x.output_path).
func (p *plan) fromArchive(r *resource) (string, state) {
	for _, t := range p.refsOf(r, "filename") {
		if out, st := p.str(t, "output_path"); st == known && out != "" {
			return out, known
		}
	}
	return "", unknown
}

// s3URL writes an S3 location, with "?" for the parts unknown at plan time.
func s3URL(bucket, key string) string {
	if bucket == "" {
		bucket = "?"
	}
	if key == "" {
		key = "?"
	}
	return "s3://" + bucket + "/" + key
}

// layers returns the layer artifacts of a function in the order of its
// layers list. ARNs known at plan time are matched with the plan's
// aws_lambda_layer_version resources; unknown ones are taken, in order,
// from the configuration's references.
func (p *plan) layers(r *resource) []bundle.Artifact {
	n, st := r.length("layers")
	refs := p.typed(p.refsOf(r, "layers"), "aws_lambda_layer_version")
	if st == unknown {
		n = len(refs)
	}
	var out []bundle.Artifact
	used := map[*resource]bool{}
	for i := 0; i < n; i++ {
		arn, ast := p.str(r, "layers", i)
		if ast == known && arn != "" {
			out = append(out, p.layerByARN(arn, used))
			continue
		}
		layer := nextUnused(refs, used)
		if layer == nil {
			p.warn(r, "layers[%d] is only known after apply and no configuration reference names its layer: the layer is not audited", i)
			continue
		}
		used[layer] = true
		out = append(out, p.layerArtifact(layer))
	}
	return out
}

// nextUnused returns the first resource of list not in used.
func nextUnused(list []*resource, used map[*resource]bool) *resource {
	for _, r := range list {
		if !used[r] {
			return r
		}
	}
	return nil
}

// layerByARN is the artifact of a layer named by its ARN: the plan's layer
// of that ARN or name, or a Problem for a layer published elsewhere.
func (p *plan) layerByARN(arn string, used map[*resource]bool) bundle.Artifact {
	name := layerName(arn)
	found := p.withAttr("aws_lambda_layer_version", "arn", arn)
	if len(found) == 0 {
		found = p.withAttr("aws_lambda_layer_version", "layer_name", name)
	}
	if len(found) > 0 {
		used[found[0]] = true
		return p.layerArtifact(found[0])
	}
	return bundle.Artifact{
		Role: bundle.RoleLayer, Name: name, Path: arn, Mount: "/opt",
		Problem: fmt.Sprintf("layer %s is not built by this plan: download it (aws lambda get-layer-version-by-arn --arn %s, "+
			"then fetch Content.Location) and scan the zip to audit it", arn, arn),
	}
}

// layerName returns the name in a layer version ARN
// (arn:aws:lambda:region:account:layer:NAME:VERSION).
func layerName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":layer:")
	if !ok {
		return arn
	}
	name, _, _ := strings.Cut(rest, ":")
	return name
}

// layerArtifact is the artifact of an aws_lambda_layer_version.
func (p *plan) layerArtifact(l *resource) bundle.Artifact {
	name, _ := p.str(l, "layer_name")
	if name == "" {
		name = l.addr
	}
	return p.codeArtifact(l, name)
}

// typed keeps the resources of the given types.
func (p *plan) typed(list []*resource, types ...string) []*resource {
	var out []*resource
	for _, r := range list {
		for _, t := range types {
			if r.typ == t {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
