package cloudformation

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// sniffBytes is how much of a file Detect reads to recognise it.
const sniffBytes = 1 << 20

// templateNames are where a SAM/CloudFormation template is looked for in a
// directory, in order: the output of `sam build` first (its CodeUri point
// at the built folders), then the source template, then packaged
// templates (`sam package` / `aws cloudformation package` output).
var templateNames = []string{
	filepath.Join(".aws-sam", "build", "template.yaml"),
	"template.yaml", "template.yml", "template.json",
	"packaged.yaml", "packaged.yml", "packaged.json",
	"packaged-template.yaml", "packaged-template.yml", "packaged-template.json",
	"template-packaged.yaml", "template-packaged.yml", "template-packaged.json",
}

var (
	resourcesKeyRe = regexp.MustCompile(`(?m)(^|[{,\s])"?Resources"?\s*:`)
	cfnMarkerRe    = regexp.MustCompile(`AWSTemplateFormatVersion|Transform|AWS::Lambda::|AWS::Serverless::`)
)

// detectTemplate returns the template at path (a file recognised by its
// content, or a directory holding one at a conventional place).
func detectTemplate(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		return path, fi.Mode().IsRegular() && looksLikeTemplate(path)
	}
	for _, name := range templateNames {
		p := filepath.Join(path, name)
		if looksLikeTemplate(p) {
			return p, true
		}
	}
	return "", false
}

// looksLikeTemplate says whether a file's beginning holds a Resources key
// and a CloudFormation marker (AWSTemplateFormatVersion, Transform, a
// Lambda or SAM resource type). It reads at most sniffBytes, and does not
// parse: a broken template is still claimed, so that Load reports why it
// is broken.
func looksLikeTemplate(path string) bool {
	head, ok := readHead(path, sniffBytes)
	return ok && resourcesKeyRe.Match(head) && cfnMarkerRe.Match(head)
}

// readHead reads up to n bytes of a regular file.
func readHead(path string, n int64) ([]byte, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, n))
	if err != nil {
		return nil, false
	}
	return head, true
}
