package azure

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMainFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"index.js":                   {},
		"src/index.js":               {},
		"src/functions/a.js":         {},
		"src/functions/b.mjs":        {},
		"src/functions/deep/c.js":    {},
		"src/node_modules/x/y.js":    {},
		"node_modules/pkg/index.js":  {},
		"dist/src/functions/a.js":    {},
		"other/src/functions/ts.ts":  {},
		"src/functions/.hidden/d.js": {},
	}
	a := &appFS{fsys: fsys, base: "app"}
	tests := []struct {
		main string
		want []string
	}{
		{"index.js", []string{"index.js"}},
		{"./src/index.js", []string{"src/index.js"}},
		{"src/functions/*.js", []string{"src/functions/a.js"}},
		{"src/functions/*.{js,mjs}", []string{"src/functions/a.js", "src/functions/b.mjs"}},
		{"src/{index.js,functions/*.js}", []string{"src/functions/a.js", "src/index.js"}},
		{"src/**/*.js", []string{"src/functions/a.js", "src/functions/deep/c.js", "src/index.js"}},
		{"dist/src/functions/*.js", []string{"dist/src/functions/a.js"}},
		{"dist/other/src/functions/*.js", []string{"other/src/functions/ts.ts"}},
		{"../outside.js", nil},
		{"/etc/passwd", nil},
		{"src/[", nil},
	}
	for _, tt := range tests {
		t.Run(tt.main, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mainFiles(a, tt.main)); diff != "" {
				t.Errorf("mainFiles(%q) (-want +got):\n%s", tt.main, diff)
			}
		})
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		in   string
		l    lang
		want string
		ok   bool
	}{
		{`'anonymous'`, langJS, "anonymous", true},
		{"`route/{id}`", langJS, "route/{id}", true},
		{"`route/${id}`", langJS, "", false},
		{`"a" + b`, langJS, "", false},
		{`func.AuthLevel.ANONYMOUS`, langPython, "ANONYMOUS", true},
		{`AuthorizationLevel.Function`, langJS, "Function", true},
		{`os.environ["LEVEL"]`, langPython, "", false},
		{`LEVEL`, langPython, "", false},
		{`r"raw\d"`, langPython, `raw\d`, true},
		{`f"x{y}"`, langPython, "", false},
		{`"""doc"""`, langPython, "doc", true},
		{`'it\'s'`, langJS, "it's", true},
		{`True`, langPython, "true", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := atom(tt.in, tt.l)
			if got != tt.want || ok != tt.ok {
				t.Errorf("atom(%s) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSplitTop(t *testing.T) {
	got := splitTop(`'a,b', [1, 2], f(x, y), {k: 'v,w'}, "q\"," `, langJS)
	want := []string{`'a,b'`, `[1, 2]`, `f(x, y)`, `{k: 'v,w'}`, `"q\","`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("splitTop (-want +got):\n%s", diff)
	}
}

func TestBlankComments(t *testing.T) {
	src := "a = 1 // app.http('x')\nb = '// not a comment' /* app.get(\n'y') */ c"
	want := "a = 1 " + strings.Repeat(" ", 16) + "\nb = '// not a comment' " + strings.Repeat(" ", 11) + "\n" +
		strings.Repeat(" ", 7) + " c"
	if got := blankComments(src, langJS); got != want {
		t.Errorf("blankComments = %q, want %q", got, want)
	}
	py := "x = '#not' # @app.route()\n@app.route()"
	if got := blankComments(py, langPython); got != "x = '#not' "+strings.Repeat(" ", 14)+"\n@app.route()" {
		t.Errorf("python: %q", got)
	}
}
