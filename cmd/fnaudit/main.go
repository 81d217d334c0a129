// Command fnaudit audits the third-party code inside serverless functions.
package main

import (
	"context"
	"os"

	"github.com/fnaudit/fnaudit/cmd/fnaudit/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}
