//go:build ignore

// gen writes orders-function.zip, the deployment zip `make demo` audits: a
// small Node.js Lambda function as `serverless package` or `sam build` would
// zip it. Its node_modules hold only each package's real package.json
// metadata (name, version, licence), which is what cataloguers read; no
// third-party code is shipped in this repository.
//
// The package-lock.json also names handlebars, which is NOT installed: a
// correct audit does not report it.
//
// Run: go run testdata/demo/gen.go (from the repository root).
package main

import (
	"archive/zip"
	"fmt"
	"log"
	"os"
	"sort"
	"time"
)

// installed are the packages under node_modules, as npm 8 lays them out.
var installed = []struct{ dir, name, version, license, desc string }{
	{"node_modules/lodash", "lodash", "4.17.15", "MIT", "Lodash modular utilities."},
	{"node_modules/axios", "axios", "0.21.0", "MIT", "Promise based HTTP client for the browser and node.js"},
	{"node_modules/follow-redirects", "follow-redirects", "1.16.3", "MIT", "HTTP and HTTPS modules that follow redirects."},
	{"node_modules/jsonwebtoken", "jsonwebtoken", "8.5.1", "MIT", "JSON Web Token implementation (symmetric and asymmetric)"},
	{"node_modules/ms", "ms", "2.1.3", "MIT", "Tiny millisecond conversion utility"},
	{"node_modules/moment", "moment", "2.29.1", "MIT", "Parse, validate, manipulate, and display dates"},
	{"node_modules/@middy/core", "@middy/core", "2.5.7", "MIT", "The stylish Node.js middleware engine for AWS Lambda (core package)"},
	{"node_modules/jsonwebtoken/node_modules/ms", "ms", "2.1.2", "MIT", "Tiny millisecond conversion utility"},
}

const handler = `'use strict';
const _ = require('lodash');
const axios = require('axios');
const jwt = require('jsonwebtoken');
const moment = require('moment');
const middy = require('@middy/core');

const listOrders = async (event) => {
  const claims = jwt.decode(event.headers.authorization || '');
  const { data } = await axios.get(process.env.ORDERS_URL, { params: { customer: claims && claims.sub } });
  return { statusCode: 200, body: JSON.stringify(_.sortBy(data, (o) => moment(o.created).valueOf())) };
};

module.exports.handler = middy(listOrders);
`

const ownPackage = `{
  "name": "orders-function",
  "version": "1.4.0",
  "private": true,
  "main": "index.js",
  "dependencies": {
    "@middy/core": "^2.5.7",
    "axios": "0.21.0",
    "jsonwebtoken": "^8.5.1",
    "lodash": "4.17.15",
    "moment": "2.29.1"
  }
}
`

const lock = `{
  "name": "orders-function",
  "version": "1.4.0",
  "lockfileVersion": 2,
  "requires": true,
  "packages": {
    "": {"name": "orders-function", "version": "1.4.0"},
    "node_modules/handlebars": {"version": "4.5.3", "dev": true},
    "node_modules/lodash": {"version": "4.17.15"}
  }
}
`

func main() {
	files := map[string]string{
		"index.js":          handler,
		"package.json":      ownPackage,
		"package-lock.json": lock,
	}
	for _, p := range installed {
		files[p.dir+"/package.json"] = fmt.Sprintf(
			"{\n  \"name\": %q,\n  \"version\": %q,\n  \"description\": %q,\n  \"license\": %q,\n  \"main\": \"index.js\"\n}\n",
			p.name, p.version, p.desc, p.license)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	out, err := os.Create("testdata/demo/orders-function.zip")
	if err != nil {
		log.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := w.Write([]byte(files[n])); err != nil {
			log.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}
