package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"
)

// components are the libraries whose versions decide fnaudit's results.
var components = []string{
	"github.com/anchore/syft",
	"github.com/google/osv-scalibr",
	"github.com/CycloneDX/cyclonedx-go",
}

func versionCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "version",
		Usage: "print fnaudit's version and the versions of the libraries that decide its results",
		Action: func(*ucli.Context) error {
			fmt.Fprintf(e.stdout, "fnaudit %s\n", Version)
			fmt.Fprintf(e.stdout, "go      %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			info, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			for _, want := range components {
				for _, dep := range info.Deps {
					if dep.Path == want {
						fmt.Fprintf(e.stdout, "%s %s\n", dep.Path, dep.Version)
					}
				}
			}
			return nil
		},
	}
}
