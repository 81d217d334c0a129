package iam

import (
	"encoding/json"
	"fmt"
)

// ParseDocument reads a policy document, either a JSON string (Terraform
// plans hold them so) or an already decoded value (a CloudFormation or
// Serverless YAML/JSON mapping): {"Version": ..., "Statement": [...] or {...}}.
func ParseDocument(doc any) ([]Statement, error) {
	if s, ok := doc.(string); ok {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("policy document is not JSON: %w", err)
		}
		doc = v
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy document is a %T, not a mapping", doc)
	}
	raw, ok := m["Statement"]
	if !ok {
		return nil, fmt.Errorf("policy document has no Statement")
	}
	return ParseStatements(raw)
}

// ParseStatements reads a Statement value: one statement or a list.
func ParseStatements(raw any) ([]Statement, error) {
	var list []any
	switch v := raw.(type) {
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	default:
		return nil, fmt.Errorf("Statement is a %T, not a list or mapping", raw)
	}
	out := make([]Statement, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("statement %d is a %T, not a mapping", i, item)
		}
		effect, _ := m["Effect"].(string)
		out = append(out, Statement{
			Effect:       effect,
			Actions:      stringList(m["Action"]),
			NotActions:   stringList(m["NotAction"]),
			Resources:    stringList(m["Resource"]),
			NotResources: stringList(m["NotResource"]),
		})
	}
	return out, nil
}

// stringList reads a string or a list of strings; other values (unresolved
// intrinsics such as {"Fn::GetAtt": ...}) are kept as a placeholder that is
// never "*".
func stringList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringList(e)...)
		}
		return out
	default:
		return []string{"(unresolved)"}
	}
}
