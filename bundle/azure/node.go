package azure

import (
	"regexp"
	"strings"
)

// Node.js v4 programming model: functions are registered in code with
// app.http('name', { methods, authLevel, route, handler }), app.timer,
// app.storageQueue, ... in the files package.json "main" names.
// https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4

// nodeCall finds app.<method>( and app.client.<method>( (durable clients).
var nodeCall = regexp.MustCompile(`\bapp\s*\.\s*(?:client\s*\.\s*)?([A-Za-z]+)\s*\(`)

// maxMainBytes bounds package.json "main".
const maxMainBytes = 4 << 10

// nodeTrigger maps a registration method of @azure/functions (app.<method>
// or trigger.<method>) to the trigger type it registers; methods are fixed
// by the HTTP shorthands (app.get, ...). ok is false for other methods
// (app.setup, app.hook, ...). "generic" takes its type from its options.
func nodeTrigger(method string) (typ string, methods []string, ok bool) {
	switch method {
	case "http":
		return "httpTrigger", nil, true
	case "get", "put", "post", "patch":
		return "httpTrigger", []string{strings.ToUpper(method)}, true
	case "deleteRequest":
		return "httpTrigger", []string{"DELETE"}, true
	case "storageBlob":
		return "blobTrigger", nil, true
	case "storageQueue":
		return "queueTrigger", nil, true
	case "serviceBusQueue", "serviceBusTopic":
		return "serviceBusTrigger", nil, true
	case "mySql":
		return "mysqlTrigger", nil, true
	case "generic":
		return "", nil, true
	case "timer", "eventHub", "eventGrid", "cosmosDB", "warmup", "sql", "webPubSub",
		"mcpTool", "mcpResource", "mcpPrompt", "orchestration", "activity", "entity":
		return method + "Trigger", nil, true
	}
	return "", nil, false
}

// node scans the files package.json "main" names; it says whether the app
// looks like a Node.js v4 app (package.json has a main, or index.js exists).
func (s *codeScan) node(n *notes) bool {
	const pkg = "package.json"
	data, err := s.a.readFile(pkg, maxJSONBytes)
	if err != nil {
		n.addErr(s.a.loc(pkg), "ignored", err)
		return false
	}
	root, err := parseJSON(s.a.loc(pkg), data)
	if err != nil {
		n.addErr(s.a.loc(pkg), "ignored", err)
		return false
	}
	main, line := fieldText(root, "main"), lineOf(field(root, "main"))
	if main == "" && s.a.isFile("index.js") {
		main = "index.js"
	}
	if main == "" || len(main) > maxMainBytes {
		return false
	}
	files := mainFiles(s.a, main)
	if len(files) == 0 {
		s.missed(pkg, line, "main %q matches no file", main)
		return true
	}
	for _, f := range files {
		if s.ctx.Err() != nil {
			return true
		}
		s.nodeFile(f)
	}
	return true
}

// nodeFile scans one source file for registrations.
func (s *codeScan) nodeFile(rel string) {
	src, ok := s.read(rel)
	if !ok {
		return
	}
	clean := blankComments(src, langJS)
	ln := newLines(clean)
	for _, m := range nodeCall.FindAllStringSubmatchIndex(clean, maxFunctions+1) {
		if s.budget <= 0 {
			s.missed(rel, ln.at(m[0]), "too many unreadable calls: the rest of the file is not read")
			return
		}
		method := clean[m[2]:m[3]]
		typ, fixed, ok := nodeTrigger(method)
		if !ok {
			continue
		}
		line := ln.at(m[0])
		inner, _, ok := s.call(clean, m[1]-1, langJS)
		args := splitTop(inner, langJS)
		if !ok || len(args) == 0 {
			s.missed(rel, line, "app.%s(...) cannot be read", method)
			continue
		}
		name, ok := stringLit(args[0], langJS)
		if !ok {
			s.missed(rel, line, "app.%s(%s, ...): the function name is not a string literal", method, short(args[0]))
			continue
		}
		opts := ""
		if len(args) > 1 {
			opts = args[1]
		}
		d := &funcDef{name: name, file: s.a.loc(rel), line: line, handler: rel, runtime: "node", defaultAuth: "anonymous"}
		d.bindings = []binding{s.nodeBinding(rel, line, method, typ, fixed, opts)}
		s.defs = append(s.defs, d)
	}
}

// nodeBinding reads the trigger of one registration from its options.
func (s *codeScan) nodeBinding(rel string, line int, method, typ string, fixed []string, opts string) binding {
	b := newBinding(typ, line)
	b.methods = fixed
	obj, spread, isObj := jsObject(opts)
	switch {
	case !isObj && (fixed != nil || typ == "orchestrationTrigger" || typ == "activityTrigger" || typ == "entityTrigger"):
		return b // a handler alone: every option takes its default
	case !isObj:
		s.missed(rel, line, "app.%s: the options are not an object literal", method)
		b.unreadAuth = true
		if typ == "" {
			b.unread = "the trigger of app.generic cannot be read"
		}
		return b
	}
	if typ == "" {
		var tobj map[string]string
		b.typ, tobj = s.genericTrigger(rel, line, obj["trigger"])
		if b.typ == "" {
			b.unread = "the trigger of app.generic cannot be read"
			return b
		}
		s.nodeProps(&b, rel, line, tobj)
	}
	s.nodeProps(&b, rel, line, obj)
	if spread && obj["authLevel"] == "" {
		b.unreadAuth = true
		s.missed(rel, line, "app.%s: options spread from another object", method)
	}
	if strings.EqualFold(b.typ, "httpTrigger") && b.methods == nil {
		b.methods = []string{"GET", "POST"} // @azure/functions' default
	}
	return b
}

// nodeProps copies the options of a registration into b.
func (s *codeScan) nodeProps(b *binding, rel string, line int, obj map[string]string) {
	for k, v := range obj {
		switch k {
		case "handler", "return", "extraInputs", "extraOutputs", "trigger", "retry", "type", "name":
			continue
		case "methods":
			if ms, ok := list(v, langJS); ok {
				b.methods = ms
			} else {
				s.missed(rel, line, "methods %s is not a literal", short(v))
			}
			continue
		}
		val, ok := atom(v, langJS)
		if !ok {
			if k == "authLevel" {
				b.unreadAuth = true
				s.missed(rel, line, "authLevel %s is not a literal", short(v))
			}
			val = "<" + short(v) + ">" // an expression, shown as such
		}
		b.props[strings.ToLower(k)] = val
	}
}

// genericTrigger reads the trigger option of app.generic: trigger.<kind>({...})
// or an object literal with a type.
func (s *codeScan) genericTrigger(rel string, line int, v string) (typ string, obj map[string]string) {
	v = strings.TrimSpace(v)
	if fn, ok := strings.CutPrefix(v, "trigger."); ok {
		open := strings.IndexByte(fn, '(')
		if open > 0 {
			inner, _, _ := matchParen(fn, open, langJS)
			obj, _, _ = jsObject(inner)
			typ, _, _ = nodeTrigger(strings.TrimSpace(fn[:open]))
		}
	} else {
		obj, _, _ = jsObject(v)
	}
	if typ == "" {
		typ, _ = stringLit(obj["type"], langJS)
		if typ != "" && !strings.HasSuffix(strings.ToLower(typ), "trigger") {
			typ += "Trigger"
		}
	}
	if typ == "" {
		s.missed(rel, line, "app.generic: the trigger %s cannot be read", short(v))
	}
	return typ, obj
}

// jsObject reads an object literal's top-level properties as raw value
// text (a shorthand property has an empty value); spread says whether it
// spreads another object into itself. ok is false when s is not an object
// literal.
func jsObject(s string) (obj map[string]string, spread, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return nil, false, false
	}
	inner, _, ok := matchParen(s, 0, langJS)
	if !ok {
		return nil, false, false
	}
	obj = map[string]string{}
	for _, part := range splitTop(inner, langJS) {
		if strings.HasPrefix(part, "...") {
			spread = true
			continue
		}
		if k, v, ok := splitKey(part, ':', langJS); ok {
			if key, ok := stringLit(k, langJS); ok {
				k = key
			}
			obj[k] = v
			continue
		}
		key := part
		if i := strings.IndexByte(part, '('); i > 0 {
			key = strings.TrimSpace(strings.TrimPrefix(part[:i], "async "))
		}
		if isIdent(key) {
			obj[key] = ""
		}
	}
	return obj, spread, true
}

// short is an expression cut to a length fit for a message.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:37], "") + "..."
	}
	return s
}
