package azure

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// hostFile is the function app's host configuration, at the app's root.
const hostFile = "host.json"

// defaultRoutePrefix is the route prefix of HTTP functions when host.json
// does not set one.
const defaultRoutePrefix = "api"

// hostConfig is what the loader uses of host.json.
type hostConfig struct {
	// routePrefix prefixes every HTTP route ("api" by default; "" is allowed).
	routePrefix string
	// customHandler is set when the app runs a custom handler; handler is
	// its defaultExecutablePath.
	customHandler bool
	handler       string
	// functions, when not empty, lists the only functions the host loads.
	functions []string
	// mcpAnonymous is set when the MCP extension's webhook takes requests
	// without a key.
	mcpAnonymous bool
}

// readHost reads host.json (rel in a). A host.json that cannot be read or
// parsed is an error: nothing of the app can be trusted without it.
func readHost(a *appFS, rel string, n *notes) (hostConfig, error) {
	file := a.loc(rel)
	data, err := a.readFile(rel, maxJSONBytes)
	if err != nil {
		return hostConfig{}, fmt.Errorf("reading %s: %w", file, err)
	}
	root, err := parseJSON(file, data)
	if err != nil {
		return hostConfig{}, err
	}
	if root.Kind != yaml.MappingNode {
		return hostConfig{}, fmt.Errorf("%s:%d: host.json must be a JSON object: %w", file, lineOf(root), errNotObject)
	}
	h := hostConfig{routePrefix: defaultRoutePrefix}
	h.readRoutePrefix(root, file, n)
	h.readCustomHandler(root)
	h.readFunctions(root, file, n)
	mcp := field(field(field(field(root, "extensions"), "mcp"), "system"), "webhookAuthorizationLevel")
	h.mcpAnonymous = strings.EqualFold(fieldOr(mcp), "anonymous")
	return h, nil
}

// fieldOr is the string value of n, or "".
func fieldOr(n *yaml.Node) string {
	s, _ := text(n)
	return s
}

// readRoutePrefix reads extensions.http.routePrefix (host.json 2.0) or
// http.routePrefix (1.x).
func (h *hostConfig) readRoutePrefix(root *yaml.Node, file string, n *notes) {
	v := field(field(field(root, "extensions"), "http"), "routePrefix")
	if v == nil {
		v = field(field(root, "http"), "routePrefix")
	}
	if v == nil {
		return
	}
	s, ok := text(v)
	if !ok {
		n.add(file, lineOf(v), "routePrefix is not a string: the default %q is assumed", defaultRoutePrefix)
		return
	}
	h.routePrefix = strings.Trim(s, "/")
}

// readCustomHandler reads customHandler.description.defaultExecutablePath.
func (h *hostConfig) readCustomHandler(root *yaml.Node) {
	ch := field(root, "customHandler")
	if ch == nil {
		return
	}
	h.customHandler = true
	h.handler = fieldText(field(ch, "description"), "defaultExecutablePath")
}

// readFunctions reads the "functions" list: when present and not empty, the
// host loads only the functions it names.
func (h *hostConfig) readFunctions(root *yaml.Node, file string, n *notes) {
	v := field(root, "functions")
	if v == nil || v.ShortTag() == "!!null" {
		return
	}
	if v.Kind != yaml.SequenceNode {
		n.add(file, lineOf(v), `"functions" is not a list: ignored`)
		return
	}
	for _, item := range v.Content {
		if s, ok := text(item); ok {
			h.functions = append(h.functions, s)
		}
	}
}

// loads says whether the host loads the function called name.
func (h *hostConfig) loads(name string) bool {
	if len(h.functions) == 0 {
		return true
	}
	for _, f := range h.functions {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}
