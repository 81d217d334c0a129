// Command synth writes a synthetic SAM application for fnaudit's scale
// benchmark: N functions that all run the same code zip (as Serverless and
// SAM package a service without individual packaging) and each use one or
// two of 5 shared layers. fnaudit's cost should grow with distinct artifacts
// (6 here), not with functions.
//
//	go run ./bench/synth -functions 200 -out /tmp/synth-200
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// layerPackages are real npm packages at real old versions, five per layer.
var layerPackages = [][][2]string{
	{{"lodash", "4.17.15"}, {"moment", "2.29.1"}, {"uuid", "8.3.2"}, {"ms", "2.1.3"}, {"debug", "4.3.1"}},
	{{"axios", "0.21.0"}, {"follow-redirects", "1.13.0"}, {"qs", "6.7.0"}, {"minimist", "1.2.0"}, {"mkdirp", "0.5.5"}},
	{{"jsonwebtoken", "8.5.1"}, {"jws", "3.2.2"}, {"jwa", "1.4.1"}, {"semver", "5.7.1"}, {"safe-buffer", "5.2.1"}},
	{{"express", "4.17.1"}, {"body-parser", "1.19.0"}, {"cookie", "0.4.0"}, {"send", "0.17.1"}, {"path-to-regexp", "0.1.7"}},
	{{"handlebars", "4.5.3"}, {"marked", "0.7.0"}, {"ajv", "6.12.2"}, {"node-fetch", "2.6.0"}, {"ws", "7.4.5"}},
}

func main() {
	n := flag.Int("functions", 200, "number of functions")
	out := flag.String("out", "", "output folder (created)")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if err := os.MkdirAll(filepath.Join(*out, "dist"), 0o755); err != nil {
		log.Fatal(err)
	}
	code := map[string]string{"index.js": "exports.handler = async () => ({ statusCode: 200 });\n"}
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("internal-util-%02d", i)
		code["node_modules/"+name+"/package.json"] = fmt.Sprintf(`{"name":%q,"version":"1.0.%d"}`, name, i)
	}
	must(writeZip(filepath.Join(*out, "dist", "service.zip"), code))
	for i, pkgs := range layerPackages {
		files := map[string]string{}
		for _, p := range pkgs {
			files["nodejs/node_modules/"+p[0]+"/package.json"] = fmt.Sprintf(`{"name":%q,"version":%q}`, p[0], p[1])
		}
		must(writeZip(filepath.Join(*out, "dist", fmt.Sprintf("layer%d.zip", i)), files))
	}
	must(os.WriteFile(filepath.Join(*out, "template.yaml"), []byte(template(*n)), 0o644))
}

func template(n int) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n")
	b.WriteString("Globals:\n  Function:\n    Runtime: nodejs18.x\n    Handler: index.handler\n    CodeUri: dist/service.zip\n")
	b.WriteString("Resources:\n")
	for i := range layerPackages {
		fmt.Fprintf(&b, "  Layer%d:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: dist/layer%d.zip\n", i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  Fn%03d:\n    Type: AWS::Serverless::Function\n    Properties:\n      Layers: [!Ref Layer%d, !Ref Layer%d]\n", i, i%5, (i+1)%5)
		if i%3 == 0 {
			fmt.Fprintf(&b, "      Events:\n        Api:\n          Type: HttpApi\n          Properties:\n            Path: /fn%03d\n            Method: GET\n", i)
		}
	}
	return b.String()
}

func writeZip(path string, files map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for name, content := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(content)); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
