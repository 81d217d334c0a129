package terraform

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "aws-modules", "plan.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := load(context.Background(), "plan.json", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
