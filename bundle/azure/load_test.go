package azure

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/bundletest"
)

// writeApp writes files (slash-separated path → contents) under a new
// folder and returns it.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const minimalHost = `{"version": "2.0"}`

func TestDetect(t *testing.T) {
	tmp := t.TempDir()
	app := writeApp(t, map[string]string{"host.json": minimalHost})
	zipTree(t, app, filepath.Join(tmp, "package.zip"), false)
	other := writeApp(t, map[string]string{"serverless.yml": "service: x"})
	zipTree(t, other, filepath.Join(tmp, "lambda.zip"), false)
	if err := os.WriteFile(filepath.Join(tmp, "fake.zip"), []byte("PK\x03\x04 not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(tmp, "fifo", hostFile)
	_ = os.Mkdir(filepath.Dir(fifo), 0o755)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
	}
	tests := []struct {
		name, path, want string
		ok               bool
	}{
		{"folder", app, filepath.Join(app, hostFile), true},
		{"host.json", filepath.Join(app, hostFile), filepath.Join(app, hostFile), true},
		{"relative folder", "testdata/node-v3", "testdata/node-v3/host.json", true},
		{"package zip", filepath.Join(tmp, "package.zip"), filepath.Join(tmp, "package.zip"), true},
		{"other zip", filepath.Join(tmp, "lambda.zip"), "", false},
		{"not a zip", filepath.Join(tmp, "fake.zip"), "", false},
		{"folder without host.json", other, "", false},
		{"other file", filepath.Join(other, "serverless.yml"), "", false},
		{"missing", filepath.Join(tmp, "nope"), "", false},
		{"FIFO host.json", filepath.Dir(fifo), "", false},
		{"FIFO given", fifo, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := New().Detect(tt.path)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Detect(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"broken host.json", map[string]string{"host.json": "{\n  \"version\": \"2.0\"\n  \"x\": 1\n}"}, "host.json:3: invalid JSON"},
		{"host.json not an object", map[string]string{"host.json": "[1, 2]"}, "host.json:1: host.json must be a JSON object"},
		{"empty host.json", map[string]string{"host.json": ""}, "host.json: invalid JSON: empty file"},
		{"host.json too large", map[string]string{"host.json": `{"x": "` + strings.Repeat("a", maxJSONBytes) + `"}`}, "file too large"},
		{"host.json too complex", map[string]string{"host.json": "[" + strings.Repeat("1,", maxJSONValues) + "1]"}, "more than 200000 JSON values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeApp(t, tt.files)
			_, err := New().Load(context.Background(), filepath.Join(dir, hostFile))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("Load error = %v, want one naming %s and saying %q", err, dir, tt.want)
			}
		})
	}
}

func TestLoadMissingAndCancelled(t *testing.T) {
	dir := t.TempDir()
	if _, err := New().Load(context.Background(), filepath.Join(dir, hostFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing host.json: err = %v, want not exist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Load(ctx, "testdata/node-v3/host.json"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestTooManyFunctions(t *testing.T) {
	const limit = 20
	files := map[string]string{"host.json": minimalHost}
	fn := `{"bindings": [{"type": "queueTrigger", "direction": "in", "queueName": "q"}]}`
	for i := 0; i <= limit; i++ {
		files["f"+strconv.Itoa(i)+"/function.json"] = fn
	}
	dir := writeApp(t, files)
	if _, err := loadManifest(context.Background(), filepath.Join(dir, hostFile), limit+1); err != nil {
		t.Fatalf("%d functions: %v", limit+1, err)
	}
	_, err := loadManifest(context.Background(), filepath.Join(dir, hostFile), limit)
	if err == nil || !strings.Contains(err.Error(), "more than 20 function folders") {
		t.Errorf("err = %v", err)
	}
}

// trig is a trigger without its source, for table tests.
type trig struct{ Type, Detail, Auth, Exposure string }

func trigs(fn *bundle.Function) []trig {
	var out []trig
	for _, t := range fn.Triggers {
		out = append(out, trig{t.Type, t.Detail, t.Auth, string(t.Exposure)})
	}
	return out
}

func TestTriggers(t *testing.T) {
	http := func(extra string) string {
		return `{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"` + extra + `}]}`
	}
	tests := []struct {
		name     string
		host     string
		fn       string
		want     []trig
		warnings int
	}{
		{"default authLevel is function", minimalHost, http(``),
			[]trig{{"http", "ANY /api/Fn", "function_key", "authenticated"}}, 0},
		{"authLevel any case", minimalHost, http(`, "authLevel": "ANONYMOUS", "methods": ["get", "post"]`),
			[]trig{{"http", "GET,POST /api/Fn", "none", "public"}}, 0},
		{"system level", minimalHost, http(`, "authLevel": "system"`),
			[]trig{{"http", "ANY /api/Fn", "admin_key", "authenticated"}}, 0},
		{"unknown level", minimalHost, http(`, "authLevel": "user"`),
			[]trig{{"http", "ANY /api/Fn", "unresolved", "unknown"}}, 1},
		{"level not a string", minimalHost, http(`, "authLevel": 0`),
			[]trig{{"http", "ANY /api/Fn", "unresolved", "unknown"}}, 1},
		{"empty route prefix", `{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}`, http(`, "route": "x/{id}"`),
			[]trig{{"http", "ANY /x/{id}", "function_key", "authenticated"}}, 0},
		{"host.json 1.x route prefix", `{"http": {"routePrefix": "/v1/"}}`, http(`, "methods": "get"`),
			[]trig{{"http", "GET /v1/Fn", "function_key", "authenticated"}}, 0},
		{"route prefix not a string", `{"extensions": {"http": {"routePrefix": 5}}}`, http(``),
			[]trig{{"http", "ANY /api/Fn", "function_key", "authenticated"}}, 1},
		{"service bus topic", minimalHost,
			`{"bindings": [{"type": "serviceBusTrigger", "direction": "in", "topicName": "orders", "subscriptionName": "audit"}]}`,
			[]trig{{"servicebus", "serviceBusTrigger orders/audit", "platform", "internal"}}, 0},
		{"cosmos", minimalHost,
			`{"bindings": [{"type": "cosmosDBTrigger", "direction": "in", "databaseName": "db", "containerName": "items"}]}`,
			[]trig{{"cosmosdb", "cosmosDBTrigger db/items", "platform", "internal"}}, 0},
		{"kafka dapr signalr", minimalHost, `{"bindings": [
			{"type": "kafkaTrigger", "direction": "in", "topic": "t"},
			{"type": "daprServiceInvocationTrigger", "direction": "in", "methodName": "m"},
			{"type": "signalRTrigger", "direction": "in", "hubName": "chat", "category": "messages", "event": "send"}]}`,
			[]trig{{"kafka", "kafkaTrigger t", "platform", "internal"},
				{"daprserviceinvocation", "daprServiceInvocationTrigger m", "platform", "internal"},
				{"signalr", "signalRTrigger chat/messages/send", "platform", "internal"}}, 1},
		{"mcp tool", minimalHost, `{"bindings": [{"type": "mcpToolTrigger", "direction": "in", "toolName": "search"}]}`,
			[]trig{{"mcptool", "mcpToolTrigger search", "admin_key", "authenticated"}}, 0},
		{"mcp tool anonymous", `{"extensions": {"mcp": {"system": {"webhookAuthorizationLevel": "Anonymous"}}}}`,
			`{"bindings": [{"type": "mcpToolTrigger", "direction": "in", "toolName": "search"}]}`,
			[]trig{{"mcptool", "mcpToolTrigger search", "none", "public"}}, 0},
		{"no trigger", minimalHost, `{"bindings": [{"type": "queue", "direction": "out", "queueName": "q"}]}`, nil, 1},
		{"bindings not a list", minimalHost, `{"bindings": {"type": "httpTrigger"}}`,
			[]trig{{"unknown", `"bindings" is missing or not a list`, "unresolved", "unknown"}}, 1},
		{"binding not an object", minimalHost, `{"bindings": ["httpTrigger"]}`,
			[]trig{{"unknown", "a binding is not a JSON object", "unresolved", "unknown"}}, 1},
		{"type not a string", minimalHost, `{"bindings": [{"type": ["httpTrigger"], "authLevel": "anonymous"}]}`,
			[]trig{{"unknown", `a binding's "type" is missing or not a string`, "unresolved", "unknown"}}, 1},
		{"not an object", minimalHost, `"bindings"`,
			[]trig{{"unknown", "function.json is not a JSON object", "unresolved", "unknown"}}, 1},
		{"comments, trailing commas, BOM, escaped slash", minimalHost,
			"\ufeff{ /* c */ \"bindings\": [ // c\n {\"type\": \"httpTrigger\", \"route\": \"a\\/b\", \"authLevel\": \"admin\",}, ], }",
			[]trig{{"http", "ANY /api/a/b", "admin_key", "authenticated"}}, 0},
		{"disabled as a string", minimalHost, `{"disabled": "true", "bindings": [{"type": "timerTrigger", "schedule": "0 0 * * * *"}]}`,
			[]trig{{"timer", "timerTrigger 0 0 * * * *", "platform", "internal"}}, 1},
		{"not loaded by host", `{"functions": ["Other"]}`, `{"bindings": [{"type": "timerTrigger"}]}`,
			[]trig{{"timer", "timerTrigger", "platform", "internal"}}, 1},
		{"empty functions list loads all", `{"functions": []}`, `{"bindings": [{"type": "timerTrigger"}]}`,
			[]trig{{"timer", "timerTrigger", "platform", "internal"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeApp(t, map[string]string{"host.json": tt.host, "Fn/function.json": tt.fn})
			app, err := New().Load(context.Background(), filepath.Join(dir, hostFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(app.Functions) != 1 || app.Functions[0].Name != "Fn" {
				t.Fatalf("functions = %+v", app.Functions)
			}
			if diff := cmp.Diff(tt.want, trigs(app.Functions[0])); diff != "" {
				t.Errorf("triggers (-want +got):\n%s", diff)
			}
			if len(app.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", app.Warnings, tt.warnings)
			}
		})
	}
}

func TestRuntime(t *testing.T) {
	queue := `{"bindings": [{"type": "queueTrigger", "queueName": "q"}]%s}`
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"local settings win", map[string]string{"local.settings.json": `{"Values": {"FUNCTIONS_WORKER_RUNTIME": "PowerShell"}}`,
			"package.json": "{}", "F/function.json": strings.ReplaceAll(queue, "%s", "")}, "powershell"},
		{"custom handler", map[string]string{"host.json": `{"customHandler": {"description": {"defaultExecutablePath": "handler"}}}`,
			"F/function.json": strings.ReplaceAll(queue, "%s", "")}, "custom"},
		{"script file", map[string]string{"requirements.txt": "", "F/function.json": strings.ReplaceAll(queue, "%s", `, "scriptFile": "../bin/App.dll"`)}, "dotnet"},
		{"python files", map[string]string{"requirements.txt": "", "F/function.json": strings.ReplaceAll(queue, "%s", "")}, "python"},
		{"java", map[string]string{"pom.xml": "", "F/function.json": strings.ReplaceAll(queue, "%s", "")}, "java"},
		{"default script file", map[string]string{"extensions.csproj": "", "F/run.ps1": "",
			"F/function.json": strings.ReplaceAll(queue, "%s", "")}, "powershell"},
		{"extensions.csproj is not a C# app", map[string]string{"extensions.csproj": "", "requirements.psd1": "",
			"F/function.json": strings.ReplaceAll(queue, "%s", "")}, "powershell"},
		{"nothing known", map[string]string{"F/function.json": strings.ReplaceAll(queue, "%s", "")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.files["host.json"]; !ok {
				tt.files["host.json"] = minimalHost
			}
			app, err := New().Load(context.Background(), filepath.Join(writeApp(t, tt.files), hostFile))
			if err != nil {
				t.Fatal(err)
			}
			if got := app.Functions[0].Runtime; got != tt.want {
				t.Errorf("runtime = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestHostile loads apps built to hurt: symbolic links out of the app,
// special files, deep nesting, huge files. Nothing may hang or panic.
func TestHostile(t *testing.T) {
	fn := `{"bindings": [{"type": "httpTrigger", "authLevel": "anonymous"}]}`
	outside := writeApp(t, map[string]string{"Out/function.json": fn})
	dir := writeApp(t, map[string]string{
		"host.json":          minimalHost,
		"Real/function.json": fn,
		"Deep/function.json": strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"Huge/function.json": `{"bindings": [], "x": "` + strings.Repeat("a", maxJSONBytes) + `"}`,
	})
	mustSymlink(t, "Real", filepath.Join(dir, "Inside"))
	mustSymlink(t, filepath.Join(outside, "Out"), filepath.Join(dir, "Escape"))
	mustSymlink(t, "../../"+filepath.Base(filepath.Dir(outside))+"/app/Out", filepath.Join(dir, "EscapeRelative"))
	if err := os.Mkdir(filepath.Join(dir, "Fifo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "Fifo", "function.json"), 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
	}
	app, err := New().Load(context.Background(), filepath.Join(dir, hostFile))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bundle.Exposure{}
	for _, f := range app.Functions {
		got[f.Name] = f.Exposure()
	}
	want := map[string]bundle.Exposure{"Deep": "unknown", "Huge": "unknown", "Inside": "public", "Real": "public"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("functions (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
	}
	if w := strings.Join(app.Warnings, "\n"); !strings.Contains(w, "Escape: symbolic link not followed") ||
		!strings.Contains(w, "EscapeRelative: symbolic link not followed") {
		t.Errorf("warnings = %q, want the escaping links named", app.Warnings)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks: %v", err)
	}
}

func TestZipDirectoryBounds(t *testing.T) {
	// A zip64 end of central directory declaring a billion entries.
	rec := make([]byte, 56)
	copy(rec, "PK\x06\x06")
	binary.LittleEndian.PutUint64(rec[32:], 1e9)
	binary.LittleEndian.PutUint64(rec[40:], 46e9)
	loc := make([]byte, 20)
	copy(loc, "PK\x06\x07")
	eocd := make([]byte, 22)
	copy(eocd, "PK\x05\x06")
	binary.LittleEndian.PutUint16(eocd[10:], 0xffff)
	binary.LittleEndian.PutUint32(eocd[12:], 0xffffffff)
	binary.LittleEndian.PutUint32(eocd[16:], 0xffffffff)
	data := append(append(rec, loc...), eocd...)
	file := filepath.Join(t.TempDir(), "big.zip")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := readZip(f); err == nil || !strings.Contains(err.Error(), "declares 1000000000 entries") {
		t.Errorf("readZip = %v, want the entry limit", err)
	}
}

// TestBackslashZip reads function folders from a zip whose names use
// backslashes, as Windows tools have written them.
func TestBackslashZip(t *testing.T) {
	file := filepath.Join(t.TempDir(), "win.zip")
	zipTree(t, filepath.Join("testdata", "node-v3"), file, true)
	app := bundletest.Load(t, New(), file)
	var names []string
	for _, f := range app.Functions {
		names = append(names, f.Name)
	}
	want := []string{"AdminReset", "BrokenFunction", "CustomTrigger", "GetProduct", "ImportQueue", "IngestTelemetry",
		"LegacyHook", "MakeThumbnail", "NightlyReport", "UpdateProduct"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
}
