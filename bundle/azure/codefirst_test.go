package azure

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestCodeFirst(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     map[string][]trig
		warnings int
	}{
		{"python app imported from elsewhere", map[string]string{"function_app.py": `
from shared import app

@app.route(route="a")
def a(req): ...

@app.route(route="b", auth_level="anonymous")
def b(req): ...
`}, map[string][]trig{
			"a": {{"http", "ANY /api/a", "unresolved", "unknown"}},
			"b": {{"http", "ANY /api/b", "none", "public"}},
		}, 1},
		{"python asgi", map[string]string{"function_app.py": `
import azure.functions as func
from api import fastapi_app
app = func.AsgiFunctionApp(app=fastapi_app, http_auth_level=func.AuthLevel.ANONYMOUS)
`}, map[string][]trig{"http_app_func": {{"http", "ANY /api/{*route}", "none", "public"}}}, 0},
		{"python wsgi default level", map[string]string{"function_app.py": `
app = func.WsgiFunctionApp(app=flask_app.wsgi_app, function_name="web")
`}, map[string][]trig{"web": {{"http", "ANY /api/{*route}", "function_key", "authenticated"}}}, 0},
		{"python flask blueprint and generic trigger", map[string]string{"function_app.py": `
import azure.functions as func
from flask import Blueprint
app = func.FunctionApp()
views = Blueprint("views", __name__)

@views.route("/flask")
def flask_view(): ...

@app.generic_trigger(arg_name="m", type="rabbitMQTrigger", queue_name="jobs")
def rabbit(m): ...

@app.schedule(schedule="0 0 * * * *", arg_name="t")
@app.function_name("Hourly")
async def hourly(t): ...
`}, map[string][]trig{
			"rabbit": {{"rabbitmq", "rabbitMQTrigger jobs", "platform", "internal"}},
			"Hourly": {{"timer", "timerTrigger 0 0 * * * *", "platform", "internal"}},
		}, 0},
		{"typescript not built", map[string]string{
			"package.json":             `{"main": "dist/src/functions/*.js"}`,
			"src/functions/orders.ts":  `app.http('orders', { methods: ['GET'], authLevel: 'function', handler: orders });`,
			"src/functions/webhook.ts": "app.post(`hook`, { route: 'hook/{id}', handler: async (r: HttpRequest) => ({}) });",
		}, map[string][]trig{
			"orders": {{"http", "GET /api/orders", "function_key", "authenticated"}},
			"hook":   {{"http", "POST /api/hook/{id}", "none", "public"}},
		}, 0},
		{"node generic, spread, mcp", map[string]string{
			"package.json": `{"main": "index.js"}`,
			"index.js": `
const base = { authLevel: 'function' };
app.http('spread', { ...base, handler });
app.generic('kafka', { trigger: { type: 'kafkaTrigger', topic: 'clicks' }, handler });
app.mcpTool('search', { toolName: 'search', description: 'Search', handler });
app.hook.appStart(() => {});
`,
		}, map[string][]trig{
			"spread": {{"http", "GET,POST /api/spread", "unresolved", "unknown"}},
			"kafka":  {{"kafka", "kafkaTrigger clicks", "platform", "internal"}},
			"search": {{"mcptool", "mcpToolTrigger search", "admin_key", "authenticated"}},
		}, 1},
		{"broken functions.metadata", map[string]string{"functions.metadata": "[\n  {\"name\": \"X\",\n  ]"},
			map[string][]trig{"fuzz": {{"unknown", "function definitions could not be read", "unresolved", "unknown"}}}, 2},
		{"node main matches nothing", map[string]string{"package.json": `{"main": "dist/*.js"}`},
			map[string][]trig{"fuzz": {{"unknown", "function definitions could not be read", "unresolved", "unknown"}}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"host.json": {Data: []byte(minimalHost)}}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			app, err := loadFS(fsys)
			if err != nil {
				t.Fatal(err)
			}
			checkApp(t, app)
			got := map[string][]trig{}
			for _, f := range app.Functions {
				got[f.Name] = trigs(f)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("functions (-want +got):\n%s", diff)
			}
			if len(app.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", app.Warnings, tt.warnings)
			}
		})
	}
}
