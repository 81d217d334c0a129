package azure

import (
	"regexp"
	"strings"
)

// Python v2 programming model: functions are declared by decorators on the
// FunctionApp (or a Blueprint registered on it) in function_app.py:
// @app.route(route=..., methods=..., auth_level=func.AuthLevel.ANONYMOUS),
// @app.timer_trigger(schedule=...), @app.queue_trigger(queue_name=...), ...
// https://learn.microsoft.com/azure/azure-functions/functions-reference-python?pivots=python-mode-decorators

var (
	// pyAppCtor finds a FunctionApp, Blueprint or one of their kin assigned
	// to a variable.
	pyAppCtor = regexp.MustCompile(`(?m)^[ \t]*(\w+)[ \t]*(?::[^=\n]+)?=[ \t]*(?:[\w.]+\.)?` +
		`(FunctionApp|AsgiFunctionApp|WsgiFunctionApp|DFApp|Blueprint|BluePrint|DFBlueprint|DFBluePrint)\s*\(`)
	// pyDef finds the function a decorator stack applies to.
	pyDef = regexp.MustCompile(`^(?:async\s+)?def\s+(\w+)`)
	// pyDecorator reads a decorator's callee.
	pyDecorator = regexp.MustCompile(`^@\s*([\w.]+)\s*`)
)

// pyApp is what a Python file declares of its apps.
type pyApp struct {
	// receivers are the variables holding a FunctionApp or Blueprint: only
	// their decorators declare functions (an empty set accepts any).
	receivers map[string]bool
	// auth is the FunctionApp's http_auth_level ("function" by default);
	// authUnread is set when it is not a literal.
	auth       string
	authUnread bool
	// constructed is set when the file constructs a FunctionApp (or an
	// ASGI, WSGI or durable one).
	constructed bool
}

// python scans the v2 script and, when it registers blueprints, the other
// Python files of the app that define one.
func (s *codeScan) python(script string) {
	src, ok := s.read(script)
	if !ok {
		return
	}
	clean := blankComments(src, langPython)
	app := s.pyApps(script, clean, pyApp{auth: "function"})
	if !app.constructed {
		// The FunctionApp comes from another module: its http_auth_level
		// (the default of every route) is not known.
		app.authUnread = true
		s.missed(script, 1, "the FunctionApp is not constructed in %s, so its http_auth_level is not known", script)
	}
	s.pyDecorated(script, clean, app)
	if !strings.Contains(clean, "register_functions") && !strings.Contains(clean, "register_blueprint") {
		return
	}
	for _, rel := range walkMatch(s.a, "**/*.py") {
		if rel == script || s.ctx.Err() != nil {
			continue
		}
		src, ok := s.read(rel)
		if !ok || !strings.Contains(src, "lueprint(") && !strings.Contains(src, "luePrint(") {
			continue
		}
		clean := blankComments(src, langPython)
		bp := s.pyApps(rel, clean, app)
		s.pyDecorated(rel, clean, bp)
	}
}

// pyApps reads the app and blueprint variables of a file; parent gives the
// auth level of HTTP functions (a blueprint's are the app's). An ASGI or
// WSGI app declares its one HTTP function here.
func (s *codeScan) pyApps(rel, src string, parent pyApp) pyApp {
	app := pyApp{receivers: map[string]bool{}, auth: parent.auth, authUnread: parent.authUnread}
	ln := newLines(src)
	for _, m := range pyAppCtor.FindAllStringSubmatchIndex(src, 100) {
		name, kind := src[m[2]:m[3]], src[m[4]:m[5]]
		inner, _, _ := s.call(src, m[1]-1, langPython)
		pos, kw := pyArgs(inner)
		if strings.Contains(strings.ToLower(kind), "blueprint") {
			if len(pos) > 0 {
				if _, flask := stringLit(pos[0], langPython); flask {
					continue // flask.Blueprint("name", __name__)
				}
			}
			app.receivers[name] = true
			continue
		}
		app.receivers[name] = true
		app.constructed = true
		s.pyAuth(&app, rel, ln.at(m[0]), kind, pos, kw)
		if kind == "AsgiFunctionApp" || kind == "WsgiFunctionApp" {
			s.pyAsgi(rel, ln.at(m[0]), kw, app)
		}
	}
	return app
}

// pyAuth reads http_auth_level from a FunctionApp's arguments.
func (s *codeScan) pyAuth(app *pyApp, rel string, line int, kind string, pos []string, kw map[string]string) {
	v, ok := kw["http_auth_level"]
	if !ok && kind != "AsgiFunctionApp" && kind != "WsgiFunctionApp" && len(pos) > 0 {
		v, ok = pos[0], true
	}
	if !ok {
		return
	}
	if level, lit := atom(v, langPython); lit {
		app.auth, app.authUnread = level, false
		return
	}
	app.authUnread = true
	s.missed(rel, line, "%s http_auth_level %s is not a literal", kind, short(v))
}

// pyAsgi declares the HTTP function of an AsgiFunctionApp or
// WsgiFunctionApp: every method on the catch-all route /{*route}.
func (s *codeScan) pyAsgi(rel string, line int, kw map[string]string, app pyApp) {
	name := "http_app_func"
	if v, ok := stringLit(kw["function_name"], langPython); ok && v != "" {
		name = v
	}
	b := newBinding("httpTrigger", line)
	b.props["route"] = "{*route}"
	b.unreadAuth = app.authUnread
	s.defs = append(s.defs, &funcDef{name: name, file: s.a.loc(rel), line: line, handler: rel + ":" + name,
		runtime: "python", defaultAuth: app.auth, bindings: []binding{b}})
}

// pyDeco is one decorator of a Python function.
type pyDeco struct {
	receiver, method, args string
	line                   int
}

// pyDecorated finds the functions declared by decorator stacks in src.
func (s *codeScan) pyDecorated(rel, src string, app pyApp) {
	ln := newLines(src)
	var stack []pyDeco
	for pos := 0; pos < len(src); {
		end := strings.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src) - pos
		}
		line := strings.TrimSpace(src[pos : pos+end])
		next := pos + end + 1
		switch {
		case s.budget <= 0:
			s.missed(rel, ln.at(pos), "too many unreadable decorators: the rest of the file is not read")
			return
		case strings.HasPrefix(line, "@"):
			at := pos + strings.IndexByte(src[pos:], '@')
			d, after := s.readDecorator(src, at)
			d.line = ln.at(at)
			stack = append(stack, d)
			next = max(next, after)
		case pyDef.MatchString(line):
			if len(stack) > 0 {
				s.pyFunction(rel, pyDef.FindStringSubmatch(line)[1], stack, app)
			}
			stack = nil
		case line != "":
			stack = nil
		}
		pos = next
	}
}

// readDecorator reads the decorator at src[at] ('@') and returns the index
// just past it.
func (s *codeScan) readDecorator(src string, at int) (pyDeco, int) {
	m := pyDecorator.FindStringSubmatchIndex(src[at:])
	if m == nil {
		return pyDeco{}, at + 1
	}
	callee := src[at+m[2] : at+m[3]]
	d := pyDeco{method: callee}
	if i := strings.LastIndexByte(callee, '.'); i >= 0 {
		d.receiver, d.method = callee[:i], callee[i+1:]
	}
	end := at + m[1]
	if end < len(src) && src[end] == '(' {
		if inner, after, ok := s.call(src, end, langPython); ok {
			d.args, end = inner, after
		}
	}
	return d, end
}

// pyFunction declares the function def if its decorators include a trigger.
func (s *codeScan) pyFunction(rel, def string, stack []pyDeco, app pyApp) {
	d := &funcDef{name: def, file: s.a.loc(rel), handler: rel + ":" + def, runtime: "python", defaultAuth: app.auth}
	for _, deco := range stack {
		if len(app.receivers) > 0 && !app.receivers[deco.receiver] {
			continue
		}
		pos, kw := pyArgs(deco.args)
		if deco.method == "function_name" {
			if v, ok := firstArg(pos, kw, "name"); ok {
				d.name = v
			}
			continue
		}
		typ := pyTrigger(deco.method, kw)
		if typ == "" {
			continue
		}
		if d.line == 0 {
			d.line = deco.line
		}
		d.bindings = append(d.bindings, s.pyBinding(rel, deco, typ, pos, kw, app))
	}
	if len(d.bindings) > 0 {
		s.defs = append(s.defs, d)
	}
}

// firstArg is the literal string given as keyword key or first positional
// argument.
func firstArg(pos []string, kw map[string]string, key string) (string, bool) {
	if v, ok := kw[key]; ok {
		return stringLit(v, langPython)
	}
	if len(pos) > 0 {
		return stringLit(pos[0], langPython)
	}
	return "", false
}

// pyTrigger maps a decorator to the trigger type it declares, or "".
func pyTrigger(method string, kw map[string]string) string {
	switch method {
	case "route":
		return "httpTrigger"
	case "schedule", "timer_trigger":
		return "timerTrigger"
	case "event_hub_message_trigger":
		return "eventHubTrigger"
	case "service_bus_queue_trigger", "service_bus_topic_trigger":
		return "serviceBusTrigger"
	case "cosmos_db_trigger", "cosmos_db_trigger_v3":
		return "cosmosDBTrigger"
	case "warm_up_trigger":
		return "warmupTrigger"
	case "generic_trigger":
		t, _ := stringLit(kw["type"], langPython)
		if t != "" && !strings.HasSuffix(strings.ToLower(t), "trigger") {
			t += "Trigger"
		}
		if t == "" {
			return "unreadableTrigger"
		}
		return t
	}
	if strings.HasSuffix(method, "_trigger") {
		return camel(method)
	}
	return ""
}

// camel turns snake_case into camelCase: queue_trigger → queueTrigger.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// pyBinding reads a trigger decorator's arguments.
func (s *codeScan) pyBinding(rel string, deco pyDeco, typ string, pos []string, kw map[string]string, app pyApp) binding {
	b := newBinding(typ, deco.line)
	if typ == "unreadableTrigger" {
		s.missed(rel, deco.line, "generic_trigger type is not a literal")
		b.unread = "the trigger type of generic_trigger cannot be read"
		return b
	}
	for k, v := range kw {
		switch k {
		case "arg_name", "trigger_arg_name", "binding_arg_name", "data_type", "type",
			"trigger_extra_fields", "binding_extra_fields", "**":
			continue
		case "methods":
			if ms, ok := list(v, langPython); ok {
				b.methods = ms
			} else {
				s.missed(rel, deco.line, "methods %s is not a literal", short(v))
			}
			continue
		}
		val, ok := atom(v, langPython)
		if !ok {
			if k == "auth_level" {
				b.unreadAuth = true
				s.missed(rel, deco.line, "auth_level %s is not a literal", short(v))
			}
			val = "<" + short(v) + ">" // an expression, shown as such
		}
		b.props[strings.ReplaceAll(k, "_", "")] = val
	}
	if deco.method == "route" {
		if _, ok := kw["route"]; !ok && len(pos) > 0 {
			b.props["route"], _ = stringLit(pos[0], langPython)
		}
		if _, ok := kw["auth_level"]; !ok && app.authUnread {
			b.unreadAuth = true
		}
		if _, ok := kw["**"]; ok {
			b.unreadAuth = true
			s.missed(rel, deco.line, "route arguments spread from a dict")
		}
	}
	return b
}

// pyArgs splits a Python argument list into positional arguments and
// keyword arguments (raw text); **kwargs is recorded under "**".
func pyArgs(inner string) (pos []string, kw map[string]string) {
	kw = map[string]string{}
	for _, p := range splitTop(inner, langPython) {
		if strings.HasPrefix(p, "**") {
			kw["**"] = p[2:]
			continue
		}
		if k, v, ok := splitKey(p, '=', langPython); ok && isIdent(k) {
			kw[k] = v
			continue
		}
		pos = append(pos, p)
	}
	return pos, kw
}
