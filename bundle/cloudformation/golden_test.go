package cloudformation

import (
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/golden"
)

// TestLoadGolden loads the fixtures under testdata/ (written as SAM, `sam
// build`, CloudFormation and `cdk synth` write them) and compares the
// rendered applications with their golden files.
func TestLoadGolden(t *testing.T) {
	tests := []struct {
		name   string
		loader bundle.Loader
		path   string
		kind   bundle.Kind
	}{
		{"sam", New(), "testdata/sam", bundle.KindSAM},
		{"sam-build", New(), "testdata/sam-build", bundle.KindSAM},
		{"cfn", New(), "testdata/cfn/template.json", bundle.KindCloudFormation},
		{"cdk", NewCDK(), "testdata/cdk", bundle.KindCDK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := bundletest.Load(t, tt.loader, tt.path)
			if app.Kind != tt.kind {
				t.Errorf("Kind = %s, want %s", app.Kind, tt.kind)
			}
			for _, fn := range app.Functions {
				if fn.Source.File == "" || fn.Source.Line == 0 {
					t.Errorf("%s: Source = %+v, want a file and line", fn.Name, fn.Source)
				}
				for _, tr := range fn.Triggers {
					if tr.Source.Line == 0 {
						t.Errorf("%s: trigger %s has no line", fn.Name, tr.Detail)
					}
				}
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".golden.json"), bundletest.Render(t, app))
		})
	}
}
