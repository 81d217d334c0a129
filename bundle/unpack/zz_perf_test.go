package unpack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestZZPerf(t *testing.T) {
	var deep []entry
	for i := range 100 {
		deep = append(deep, entry{name: fmt.Sprintf("r%d/", i) + strings.Repeat("d/", 2000) + "f", body: "x"})
	}
	var wide []entry
	for i := range 20000 {
		wide = append(wide, entry{name: fmt.Sprintf("node_modules/p%d/lib/f%d.js", i%500, i), body: "module.exports=1"})
	}
	for name, es := range map[string][]entry{"deep": deep, "wide": wide} {
		src := writeArtifact(t, "p.zip", buildZip(t, es...))
		start := time.Now()
		res, err := Zip(context.Background(), src, t.TempDir()+"/d", Limits{})
		fmt.Println(name, time.Since(start), err, res.Files, len(res.Rejected))
	}
}
