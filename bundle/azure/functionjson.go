package azure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Files that declare functions.
const (
	functionFile = "function.json"
	// metadataFile is written by the .NET isolated worker's build: every
	// function of the app, with the same bindings as function.json.
	metadataFile = "functions.metadata"
)

// binding is one binding of a function, as function.json declares it (the
// code-first models are turned into the same).
type binding struct {
	typ       string // as written: "httpTrigger"
	direction string
	// props are the binding's scalar properties, keys lower-cased
	// ("authlevel", "route", "queuename", "schedule", ...).
	props map[string]string
	// methods are the HTTP methods; nil means all.
	methods []string
	line    int
	// unread, when set, says why the binding could not be read: it may be
	// the trigger, so the function's exposure is unknown.
	unread string
	// unreadAuth is set when the code declaring an HTTP trigger's auth
	// level could not be read (already reported): its exposure is unknown.
	unreadAuth bool
}

// funcDef is one function as the app declares it.
type funcDef struct {
	name     string
	file     string // the declaring file, as located in messages
	line     int
	bindings []binding
	handler  string
	runtime  string // from the declaration, when it says
	disabled bool
	// problem, when set, says why the declaration could not be read: the
	// function is listed with exposure unknown; noted says a warning has
	// already said so.
	problem string
	noted   bool
	// defaultAuth is the authLevel of an HTTP trigger that has none:
	// "function" in function.json, "anonymous" in the Node.js v4 model.
	defaultAuth string
}

// finder finds the functions an app declares.
type finder struct {
	ctx      context.Context
	a        *appFS
	settings localSettings
	notes    *notes
	// maxFunctions bounds the functions of one app (maxFunctions, but
	// lower in tests).
	maxFunctions int
}

// discover finds the functions declared in f.a: */function.json (the
// classic model, and the build output of C# in-process, Java and the other
// languages), else functions.metadata (C# isolated worker build output),
// else the Python v2 and Node.js v4 code-first models.
func (f *finder) discover() ([]*funcDef, error) {
	defs, err := f.functionFolders()
	if err != nil || len(defs) > 0 {
		return defs, err
	}
	if f.a.isFile(metadataFile) {
		if defs := f.readMetadata(); len(defs) > 0 {
			return defs, nil
		}
	}
	return f.codeModels()
}

// functionFolders reads <name>/function.json for every folder of the app.
func (f *finder) functionFolders() ([]*funcDef, error) {
	a := f.a
	entries, err := a.list(".", maxRootEntries)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", a.loc("."), err)
	}
	var defs []*funcDef
	for _, e := range entries {
		if err := f.ctx.Err(); err != nil {
			return nil, err
		}
		if !e.dir && !e.symlink {
			continue
		}
		rel := e.name + "/" + functionFile
		if !hasFunctionJSON(a, e, rel, f.notes) {
			continue
		}
		if len(defs) == f.maxFunctions {
			return nil, fmt.Errorf("%s: more than %d function folders", a.loc("."), f.maxFunctions)
		}
		defs = append(defs, readFunctionJSON(a, e.name, rel))
	}
	return defs, nil
}

// hasFunctionJSON says whether the folder e holds function.json; a symbolic
// link that cannot be followed (it leads out of the app) is a warning.
func hasFunctionJSON(a *appFS, e dirEntry, rel string, n *notes) bool {
	fi, err := fs.Stat(a.fsys, rel)
	switch {
	case err == nil:
		return fi.Mode().IsRegular()
	case e.symlink && !errors.Is(err, fs.ErrNotExist):
		if _, serr := fs.Stat(a.fsys, e.name); serr != nil {
			n.add(a.loc(e.name), 0, "symbolic link not followed (it leads out of the app folder or is broken): %v", serr)
		}
	}
	return false
}

// readFunctionJSON reads the function called name from its function.json
// (rel). What cannot be read is the function's problem, not an error.
func readFunctionJSON(a *appFS, name, rel string) *funcDef {
	d := &funcDef{name: name, file: a.loc(rel), defaultAuth: "function"}
	data, err := a.readFile(rel, maxJSONBytes)
	if err != nil {
		d.problem = fmt.Sprintf("%s cannot be read: %v", functionFile, err)
		return d
	}
	root, err := parseJSON(d.file, data)
	if err != nil {
		d.problem = err.Error()
		var je *jsonError
		if errors.As(err, &je) {
			d.line, d.problem = je.line, je.message()
		}
		return d
	}
	if root.Kind != yaml.MappingNode {
		d.line, d.problem = root.Line, "function.json is not a JSON object"
		return d
	}
	d.readDeclaration(root, name)
	if d.runtime == "" {
		d.runtime = runtimeOfFolder(a, name)
	}
	return d
}

// readDeclaration reads the fields function.json and functions.metadata
// share: bindings, scriptFile, entryPoint, disabled. dir is the folder
// scriptFile is relative to ("" for the app's root).
func (d *funcDef) readDeclaration(root *yaml.Node, dir string) {
	if d.line == 0 {
		d.line = root.Line
	}
	script := fieldText(root, "scriptFile")
	if script != "" {
		d.handler = path.Clean(path.Join(dir, strings.ReplaceAll(script, `\`, "/")))
		d.runtime = runtimeOfFile(script)
	}
	if ep := fieldText(root, "entryPoint"); ep != "" {
		d.handler = strings.TrimPrefix(d.handler+":"+ep, ":")
	}
	d.disabled = isTrue(field(root, "disabled"))
	bs := field(root, "bindings")
	if bs == nil || bs.Kind != yaml.SequenceNode {
		d.line = max(lineOf(bs), d.line)
		d.problem = `"bindings" is missing or not a list`
		return
	}
	for _, b := range bs.Content {
		d.bindings = append(d.bindings, readBinding(b))
	}
}

// isTrue says whether n is true or "true" (Json.NET reads either as a
// boolean).
func isTrue(n *yaml.Node) bool {
	s, ok := scalar(n)
	return ok && strings.EqualFold(s, "true")
}

// readBinding reads one entry of "bindings".
func readBinding(n *yaml.Node) binding {
	b := binding{line: n.Line, props: map[string]string{}}
	if n.Kind != yaml.MappingNode {
		b.unread = "a binding is not a JSON object"
		return b
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if s, ok := scalar(n.Content[i+1]); ok {
			b.props[strings.ToLower(n.Content[i].Value)] = s
		}
	}
	var ok bool
	if b.typ, ok = text(field(n, "type")); !ok || b.typ == "" {
		b.unread = `a binding's "type" is missing or not a string`
	}
	b.direction = fieldText(n, "direction")
	b.methods = readMethods(field(n, "methods"))
	return b
}

// readMethods reads "methods": a list of strings (or one string); nil, an
// empty list or null mean every method.
func readMethods(n *yaml.Node) []string {
	if s, ok := text(n); ok {
		return []string{s}
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, m := range n.Content {
		if s, ok := text(m); ok {
			out = append(out, s)
		}
	}
	return out
}

// readMetadata reads functions.metadata, a list of functions each with a
// name and the fields of a function.json.
func (f *finder) readMetadata() []*funcDef {
	a, n := f.a, f.notes
	file := a.loc(metadataFile)
	data, err := a.readFile(metadataFile, maxJSONBytes)
	if err != nil {
		n.addErr(file, "ignored", err)
		return nil
	}
	root, err := parseJSON(file, data)
	if err != nil {
		n.addErr(file, "ignored", err)
		return nil
	}
	if root.Kind != yaml.SequenceNode {
		n.add(file, root.Line, "ignored: not a JSON list")
		return nil
	}
	var defs []*funcDef
	for _, item := range root.Content {
		name, ok := text(field(item, "name"))
		if !ok || name == "" {
			n.add(file, item.Line, "a function without a name: ignored")
			continue
		}
		if len(defs) == f.maxFunctions {
			n.add(file, item.Line, "more than %d functions: the rest are ignored", f.maxFunctions)
			break
		}
		d := &funcDef{name: name, file: file, line: item.Line, defaultAuth: "function"}
		d.readDeclaration(item, "")
		if lang := fieldText(item, "language"); lang != "" {
			d.runtime = lang
		}
		defs = append(defs, d)
	}
	return defs
}
