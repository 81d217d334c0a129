package bundled

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNodePath(t *testing.T) {
	type ref struct{ Name, Path, Prefix, Version string }
	tests := []struct {
		in   string
		want *ref
	}{
		{"../../node_modules/lodash/get.js", &ref{"lodash", "node_modules/lodash", "", ""}},
		{"node_modules/@tootallnate/once/dist/index.js", &ref{"@tootallnate/once", "node_modules/@tootallnate/once", "", ""}},
		{"../node_modules/rc/node_modules/minimist/index.js", &ref{"minimist", "node_modules/rc/node_modules/minimist", "", ""}},
		{"../../packages/api/node_modules/axios/index.js", &ref{"axios", "node_modules/axios", "packages/api", ""}},
		{"webpack://orders/./node_modules/moment/moment.js", &ref{"moment", "node_modules/moment", "", ""}},
		{"webpack:///./node_modules/axios/lib/axios.js?1a2b", &ref{"axios", "node_modules/axios", "", ""}},
		{`C:\build\node_modules\lodash\get.js`, &ref{"lodash", "node_modules/lodash", "build", ""}},
		{"../../node_modules/.pnpm/minimist@0.0.10/node_modules/minimist/index.js",
			&ref{"minimist", "node_modules/.pnpm/minimist@0.0.10/node_modules/minimist", "", "0.0.10"}},
		{"node_modules/.pnpm/@tootallnate+once@1.1.2/node_modules/@tootallnate/once/src/index.ts",
			&ref{"@tootallnate/once", "node_modules/.pnpm/@tootallnate+once@1.1.2/node_modules/@tootallnate/once", "", "1.1.2"}},
		{"node_modules/.pnpm/react-dom@18.2.0_react@18.2.0/node_modules/react-dom/index.js",
			&ref{"react-dom", "node_modules/.pnpm/react-dom@18.2.0_react@18.2.0/node_modules/react-dom", "", "18.2.0"}},
		// A store folder of another package gives no version.
		{"node_modules/.pnpm/a@1.0.0/node_modules/b/index.js", &ref{"b", "node_modules/.pnpm/a@1.0.0/node_modules/b", "", ""}},
		{"../src/index.ts", nil},
		{"node_modules/.bin/x", nil},
		{"node_modules/@scope", nil},
		{"node_modules/", nil},
		{"(webpack)/buildin/module.js", nil},
		{"node_modules/bad name/x.js", nil},
	}
	for _, tt := range tests {
		r, ok := parseNodePath(tt.in)
		var got *ref
		if ok {
			got = &ref{r.name, r.path, r.prefix, r.version}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseNodePath(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseBanner(t *testing.T) {
	tests := []struct {
		body          string
		name, version string
		ok            bool
	}{
		{"! jQuery v3.6.0 | (c) OpenJS Foundation and other contributors | jquery.org/license ", "jQuery", "3.6.0", true},
		{"*\n * @license React v16.13.1\n * react.production.min.js\n", "React", "16.13.1", true},
		{"*\n * @license\n * Lodash <https://lodash.com/>\n * Based on Underscore.js 1.8.3\n", "", "", false},
		{" moment.js\n version : 2.29.1\n authors : Tim Wood\n", "moment.js", "2.29.1", true},
		{"! @xmldom/xmldom@0.8.0 ", "@xmldom/xmldom", "0.8.0", true},
		{"!\n * clipboard.js - v2.0.8\n", "clipboard.js", "2.0.8", true},
		{"! Copyright 2020 ACME 1.2.3 ", "", "", false},
		{"! own-lib ", "own-lib", "", true},
		{"", "", "", false},
	}
	for _, tt := range tests {
		b, ok := parseBanner(tt.body)
		if ok != tt.ok || b.name != tt.name || b.version != tt.version {
			t.Errorf("parseBanner(%q) = %q %q %v, want %q %q %v", tt.body, b.name, b.version, ok, tt.name, tt.version, tt.ok)
		}
	}
}

// TestFindBanners: esbuild's licence list attributes each comment to its
// package (the version only when the comment names that package); inline
// comments count when they give a version.
func TestFindBanners(t *testing.T) {
	text := `var a=1;//! moment.js
//! version : 2.29.1
var s="*/*";/*! jQuery v3.6.0 | (c) OpenJS */
/*! Bundled license information:

lodash/lodash.js:
  (**
   * @license
   * Lodash <https://lodash.com/>
   * Based on Underscore.js 1.8.3
   *)

other/index.js:
  (*! lodash 4.17.21 *)

rc/node_modules/minimist/index.js:
  (*! minimist v1.2.8 *)
*/`
	var got []string
	for _, b := range findBanners([]byte(text)) {
		got = append(got, b.name+"@"+b.version+" "+b.ref.path)
	}
	want := []string{
		"lodash@ node_modules/lodash",
		"other@ node_modules/other",
		"minimist@1.2.8 node_modules/rc/node_modules/minimist",
		"jQuery@3.6.0 ",
		"moment.js@2.29.1 ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("banners (-want +got):\n%s", diff)
	}
}

func TestMatchesPackage(t *testing.T) {
	for _, tt := range []struct {
		comment, pkg string
		want         bool
	}{
		{"moment.js", "moment", true}, {"Moment.js", "moment", true}, {"Chart.js", "chart.js", true},
		{"xmldom", "@xmldom/xmldom", true}, {"Underscore.js", "lodash", false}, {"", "x", false},
	} {
		if got := matchesPackage(tt.comment, tt.pkg); got != tt.want {
			t.Errorf("matchesPackage(%q, %q) = %v", tt.comment, tt.pkg, got)
		}
	}
}

func TestPURL(t *testing.T) {
	for _, tt := range []struct{ name, version, purl string }{
		{"lodash", "4.17.15", "pkg:npm/lodash@4.17.15"},
		{"@tootallnate/once", "1.1.2", "pkg:npm/%40tootallnate/once@1.1.2"},
		{"lodash", "", "pkg:npm/lodash"},
		{"x", "1.0.0+build.1", "pkg:npm/x@1.0.0+build.1"},
	} {
		if got := purl(tt.name, tt.version); got != tt.purl {
			t.Errorf("purl(%q, %q) = %q, want %q", tt.name, tt.version, got, tt.purl)
		}
		name, version, ok := parsePURL(tt.purl)
		if !ok || name != tt.name || version != tt.version {
			t.Errorf("parsePURL(%q) = %q %q %v", tt.purl, name, version, ok)
		}
	}
	for _, bad := range []string{"pkg:pypi/requests@2.0.0", "npm/lodash", "pkg:npm/%zz@1", "pkg:npm/@scope/"} {
		if _, _, ok := parsePURL(bad); ok {
			t.Errorf("parsePURL(%q) ok", bad)
		}
	}
	if name, version, ok := parsePURL("pkg:npm/@babel/core@7.1.0?vcs_url=x#sub"); !ok || name != "@babel/core" || version != "7.1.0" {
		t.Errorf("unencoded scope: %q %q %v", name, version, ok)
	}
}

func TestCleanVersion(t *testing.T) {
	for in, want := range map[string]string{
		"4.17.15": "4.17.15", "v1.2.3": "1.2.3", "=1.0.0-beta.1": "1.0.0-beta.1", "^1.2.3": "", "latest": "",
		"git+https://x/y.git": "", "file:../x": "", "1.2": "", "01.2.3": "", strings.Repeat("1", 300) + ".0.0": "",
	} {
		if got := cleanVersion(in); got != want {
			t.Errorf("cleanVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveMapURL(t *testing.T) {
	for _, tt := range []struct {
		bundle, url, want string
		ok                bool
	}{
		{"index.js", "index.js.map", "index.js.map", true},
		{"dist/index.js", "../maps/index.js.map", "maps/index.js.map", true},
		{"dist/index.js", "index%2Ejs.map", "dist/index.js.map", true},
		{"index.js", "../../etc/passwd", "", false},
		{"dist/index.js", "../../x.map", "", false},
		{"index.js", "/etc/passwd", "", false},
		{"index.js", "https://cdn.example.com/index.js.map", "", false},
		{"index.js", "file:///etc/passwd", "", false},
	} {
		got, ok := resolveMapURL(tt.bundle, tt.url)
		if got != tt.want || ok != tt.ok {
			t.Errorf("resolveMapURL(%q, %q) = %q, %v", tt.bundle, tt.url, got, ok)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	if err := checkDepth([]byte(deep), maxDepthMap); err == nil {
		t.Error("65 levels accepted")
	}
	if err := checkDepth([]byte(`{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\""}`), 2); err != nil {
		t.Errorf("brackets in a string counted: %v", err)
	}
	if _, _, err := parseSourceMap([]byte(`{"version":3,"sources":` + deep + `}`)); err == nil {
		t.Error("deep map parsed")
	}
}

func TestParseMetafileAndStats(t *testing.T) {
	meta := `{"inputs":{"node_modules/a/index.js":{},"node_modules/b/index.js":{},"(disabled):node_modules/c/x.js":{}},
		"outputs":{"out/index.js":{"inputs":{"node_modules/a/index.js":{"bytesInOutput":10},"node_modules/b/index.js":{"bytesInOutput":0},
		"(disabled):node_modules/c/x.js":{"bytesInOutput":4}}},"out/index.js.map":{"inputs":{}}}}`
	rec, err := parseMetafile([]byte(meta))
	if err != nil {
		t.Fatal(err)
	}
	want := buildRecord{inputs: []string{"node_modules/a/index.js"}, outputs: []string{"out/index.js", "out/index.js.map"}}
	if diff := cmp.Diff(want, rec, cmp.AllowUnexported(buildRecord{})); diff != "" {
		t.Errorf("metafile (-want +got):\n%s", diff)
	}
	stats := `{"assets":[{"name":"main.js"}],"modules":[{"name":"./node_modules/a/index.js + 2 modules","modules":[
		{"name":"./node_modules/b/index.js","orphan":true}]},{"name":"./node_modules/c/x.js","orphan":true}],
		"children":[{"modules":[{"name":"./node_modules/d/y.js"}]}]}`
	if rec, err = parseStats([]byte(stats)); err != nil {
		t.Fatal(err)
	}
	want = buildRecord{inputs: []string{"./node_modules/a/index.js", "./node_modules/b/index.js", "./node_modules/d/y.js"}, outputs: []string{"main.js"}}
	if diff := cmp.Diff(want, rec, cmp.AllowUnexported(buildRecord{})); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{}`, `[]`, `{"inputs":`, `{"modules":[]}`} {
		if _, err := parseMetafile([]byte(bad)); err == nil && bad != `{"modules":[]}` {
			t.Errorf("parseMetafile(%s): no error", bad)
		}
		if _, err := parseStats([]byte(bad)); err == nil {
			t.Errorf("parseStats(%s): no error", bad)
		}
	}
}

// TestFindBannersLegalTxt: esbuild's --legal-comments=linked writes its
// list, with the comments as written, into index.js.LEGAL.txt.
func TestFindBannersLegalTxt(t *testing.T) {
	text := "Bundled license information:\n\nmoment/moment.js:\n  //! moment.js\n  //! version : 2.29.1\n  //! license : MIT\n\n" +
		"@scope/pkg/dist/index.js:\n  /*! @scope/pkg v3.1.0 */\n  /*! more */\n"
	var got []string
	for _, b := range findBanners([]byte(text)) {
		got = append(got, b.name+"@"+b.version+" "+b.ref.path)
	}
	want := []string{"moment@2.29.1 node_modules/moment", "@scope/pkg@3.1.0 node_modules/@scope/pkg"}
	if diff := cmp.Diff(want, got[:min(2, len(got))]); diff != "" {
		t.Errorf("banners (-want +got):\n%s", diff)
	}
}
