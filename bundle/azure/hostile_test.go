package azure

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestPathologicalSources loads sources built to make a naive scanner
// quadratic or exponential; each must load in bounded time.
func TestPathologicalSources(t *testing.T) {
	mb := 4 << 20
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"unclosed decorators", map[string]string{"function_app.py": strings.Repeat("@a(\n", mb/4-1)}},
		{"unclosed registrations", map[string]string{"package.json": `{"main": "i.js"}`,
			"i.js": strings.Repeat("app.http(", mb/9-1)}},
		{"nested registrations", map[string]string{"package.json": `{"main": "i.js"}`,
			"i.js": strings.Repeat("app.http('a', {x: ", 50000)}},
		{"app constructors", map[string]string{"function_app.py": strings.Repeat("a = func.FunctionApp(\n", mb/22-1)}},
		{"unterminated strings", map[string]string{"function_app.py": strings.Repeat(`"""'`, mb/4-1)}},
		{"brace bomb", map[string]string{"package.json": `{"main": "` + strings.Repeat("{a,b,c}", 500) + `"}`}},
		{"globstar bomb", map[string]string{"package.json": `{"main": "` + strings.Repeat("**/", 40) + `x.js"}`,
			"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/y.js": ""}},
		{"wide function.json", map[string]string{"F/function.json": `{"bindings": [` + strings.Repeat(`{"type": "q"},`, 14000) + `{}]}`}},
		{"long string function.json", map[string]string{"F/function.json": `{"bindings": [{"type": "` + strings.Repeat("x", 4<<20) + `"}]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"host.json": {Data: []byte(minimalHost)}}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			start := time.Now()
			app, err := loadFS(fsys)
			took := time.Since(start)
			t.Logf("%v", took)
			if err != nil {
				t.Fatal(err)
			}
			checkApp(t, app)
			if took > 10*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}
