package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/cyclonedx"
)

// sbomCommand is `fnaudit sbom PATH --out-dir DIR`: the auditors' download,
// one CycloneDX 1.6 document per function plus application.cdx.json, with
// the findings and VEX of the same audit a scan makes. It never fails on
// findings: the exit code is 0, or 3 when some function could not be
// audited (its document says so), or 2 on usage and input errors.
func sbomCommand(e *env) *ucli.Command {
	flags := append(scanCommand(e).Flags, &ucli.StringFlag{
		Name: "out-dir", Aliases: []string{"o"}, Value: "sboms", Usage: "`DIR` to write <function>.cdx.json and application.cdx.json into"})
	return &ucli.Command{
		Name:      "sbom",
		Usage:     "write one CycloneDX 1.6 document per function (+ one per application)",
		ArgsUsage: "PATH",
		Description: "Audits PATH as scan does and writes, for each function, a CycloneDX 1.6 document: the function as " +
			"metadata.component, its packages with the artifact (code, layer, image) each came from, its triggers as " +
			"services, its findings as vulnerabilities with VEX analysis from the policy.",
		Flags:  flags,
		Action: func(c *ucli.Context) error { return runSBOM(c, e) },
	}
}

func runSBOM(c *ucli.Context, e *env) error {
	if c.NArg() != 1 {
		return usageError(errNoPath)
	}
	cfg, _, err := scanConfig(c, e)
	if err != nil {
		return usageError(err)
	}
	r, err := auditPath(c, cfg)
	if err != nil {
		return err
	}
	dir := c.String("out-dir")
	if err := cyclonedx.WriteDir(dir, r); err != nil {
		return usageError(fmt.Errorf("writing CycloneDX documents to %s: %w", dir, err))
	}
	fmt.Fprintf(e.stderr, "wrote %d function documents and %s to %s\n", len(r.Functions), cyclonedx.ApplicationFile, dir)
	if r.Summary.Incomplete > 0 {
		return &exitError{code: reports.ExitIncomplete}
	}
	return nil
}
