// Command gobin is a tiny Go program the catalog tests build, so that syft
// catalogues a real Go binary with module build information.
package main

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
)

func main() { fmt.Println(cmp.Diff("a", "b")) }
