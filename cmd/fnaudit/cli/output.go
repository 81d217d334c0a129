package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/formats"
)

// output is one --format NAME[=FILE].
type output struct {
	format formats.Format
	file   string // "" or "-": stdout
}

// parseOutputs reads the --format values. Without any, the table goes to
// stdout. At most one format may write to stdout.
func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		specs = []string{"table"}
	}
	var outs []output
	toStdout := ""
	for _, spec := range specs {
		name, file, _ := strings.Cut(spec, "=")
		f, err := formats.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		if file == "-" {
			file = ""
		}
		if file == "" {
			if toStdout != "" {
				return nil, fmt.Errorf("--format %s and --format %s both write to stdout: give one of them a file (NAME=FILE)", toStdout, name)
			}
			toStdout = name
		}
		outs = append(outs, output{format: f, file: file})
	}
	return outs, nil
}

// writeOutputs writes the report in every requested format. A file is
// written beside its final name and renamed into place, so a reader never
// sees half a report.
func writeOutputs(outs []output, r *reports.Report, stdout io.Writer) error {
	for _, o := range outs {
		if o.file == "" {
			if err := o.format.Encode(stdout, r); err != nil {
				return fmt.Errorf("writing %s to stdout: %w", o.format.Name, err)
			}
			continue
		}
		if o.format.Dir != nil {
			if err := o.format.Dir(o.file, r); err != nil {
				return fmt.Errorf("writing %s documents to %s: %w", o.format.Name, o.file, err)
			}
			continue
		}
		if err := writeFile(o.file, func(w io.Writer) error { return o.format.Encode(w, r) }); err != nil {
			return fmt.Errorf("writing %s report to %s: %w", o.format.Name, o.file, err)
		}
	}
	return nil
}

// writeFile writes a report file. A regular file (or a new one) is written
// beside its final name and renamed into place; anything else (/dev/null, a
// named pipe, /dev/stderr) is written in place, never replaced.
func writeFile(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// formatHelp is the --format usage text, built from the format table.
func formatHelp() string {
	var b strings.Builder
	b.WriteString("output `NAME[=FILE]`, repeatable; without FILE to stdout. Formats:")
	for _, f := range formats.All() {
		fmt.Fprintf(&b, "\n\t%s: %s", f.Name, f.Description)
	}
	return b.String()
}

var errNoPath = errors.New("scan needs one PATH: an application folder or manifest (serverless.yml, template.yaml, cdk.out, a Terraform plan JSON, host.json), or a function's zip")
