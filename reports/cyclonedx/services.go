package cyclonedx

import (
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// services describes the function's triggers, one service each, with
// bom-refs "<function ref>/trigger:<type>:<detail>" claimed in trigger order.
func services(fn *reports.Function, fnRef string, refs refSet) []cdx.Service {
	out := make([]cdx.Service, 0, len(fn.Triggers))
	for _, t := range fn.Triggers {
		ref := refs.claim(fnRef + "/trigger:" + t.Type + ":" + t.Detail)
		out = append(out, service(t, ref, fn.Name))
	}
	return out
}

// service describes one trigger.
func service(t bundle.Trigger, ref, function string) cdx.Service {
	s := cdx.Service{
		BOMRef:               ref,
		Name:                 strings.TrimSpace(t.Type + " " + t.Detail),
		Authenticated:        authenticated(t.Auth),
		CrossesTrustBoundary: crossesTrustBoundary(t.Exposure),
	}
	var p props
	p.add("function", function)
	p.add("trigger_type", t.Type)
	p.add("auth", t.Auth)
	p.add("exposure", string(t.Exposure))
	method, path := route(t)
	p.add("http_method", method)
	p.add("http_path", path)
	switch {
	case path != "":
		s.Endpoints = &[]string{escapePath(path)}
	default:
		if u := urlIn(t.Detail); u != "" {
			s.Endpoints = &[]string{u}
		}
	}
	s.Properties = p.list()
	return s
}

// authenticated is false when callers need no credentials, unset when the
// manifest did not say, true otherwise (IAM, JWT, Cognito, a Lambda
// authorizer, keys, or a cloud service that invokes the function).
func authenticated(auth string) *bool {
	switch auth {
	case "none":
		return cdx.Bool(false)
	case "", "unresolved":
		return nil
	}
	return cdx.Bool(true)
}

// crossesTrustBoundary is true for a trigger reachable from the internet
// (public, or authenticated but internet-facing), false for one only the
// platform's own services use, and unset when the exposure is unknown.
func crossesTrustBoundary(e bundle.Exposure) *bool {
	switch e {
	case bundle.ExposurePublic, bundle.ExposureAuthenticated:
		return cdx.Bool(true)
	case bundle.ExposureInternal:
		return cdx.Bool(false)
	}
	return nil
}

// isMethod reports whether a route detail's word is an HTTP method.
func isMethod(w string) bool {
	switch w {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ANY", "*":
		return true
	}
	return false
}

// isRouted reports whether a trigger type's detail may hold a request path.
func isRouted(typ string) bool {
	switch typ {
	case "http", "alb", "cloudfront", "url", "websocket":
		return true
	}
	return false
}

// route finds the HTTP method and path in an HTTP-like trigger's detail
// ("GET /orders/{id} (httpApi)" → "GET", "/orders/{id}";
// "CloudFront viewer-request /app/*" → "", "/app/*").
func route(t bundle.Trigger) (method, path string) {
	if !isRouted(t.Type) {
		return "", ""
	}
	fields := strings.Fields(t.Detail)
	for i, f := range fields {
		if strings.HasPrefix(f, "/") {
			if i > 0 && isMethod(fields[i-1]) {
				method = fields[i-1]
			}
			return method, f
		}
	}
	return "", ""
}

// urlIn returns the first absolute URL in a detail, if any.
func urlIn(detail string) string {
	for _, f := range strings.Fields(detail) {
		if !strings.Contains(f, "://") {
			continue
		}
		u, err := url.Parse(strings.Trim(f, "(),"))
		if err == nil && u.Scheme != "" && u.Host != "" {
			return u.String()
		}
	}
	return ""
}

// escapePath percent-encodes what an IRI reference may not hold unescaped
// (the braces of "/orders/{id}", spaces, ...), keeping RFC 3986 path
// characters and existing %XX escapes as they are.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case pathChar(c):
			b.WriteByte(c)
		case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// pathChar reports whether c may appear unescaped in a URI path: unreserved,
// sub-delims, ':', '@' and '/'.
func pathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
