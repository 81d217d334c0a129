package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/reports"
)

// Fixed values of every log fnaudit writes.
const (
	// SchemaURI is the log's "$schema": the id of the SARIF 2.1.0 (errata 01)
	// JSON schema published by OASIS.
	SchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// ToolName is tool.driver.name. GitHub code scanning keys its analyses
	// on it, so it never changes.
	ToolName = "fnaudit"
	// InformationURI is tool.driver.informationUri.
	InformationURI = "https://github.com/fnaudit/fnaudit"
	// FingerprintKey names fnaudit's entry in result.partialFingerprints.
	// The "/v1" suffix changes only if the hashed fields change.
	FingerprintKey = "fnaudit/v1"
	// SourceRootID is the uriBaseId of every relative manifest URI: the
	// directory the scan was run from, which GitHub takes to be the
	// repository root.
	SourceRootID = "%SRCROOT%"
)

// Encode writes r as a SARIF 2.1.0 log with one run: a rule per advisory, a
// result per finding of every function, and one invocation whose
// notifications name the functions that could not be audited. The output is
// indented JSON with a final newline, and the same report always gives the
// same bytes. Encode does not modify r.
func Encode(w io.Writer, r *reports.Report) error {
	if r == nil {
		return errors.New("encoding sarif: no report")
	}
	var buf bytes.Buffer
	if err := buildLog(r).PrettyWrite(&buf); err != nil {
		return fmt.Errorf("encoding sarif: %w", err)
	}
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing sarif: %w", err)
	}
	return nil
}

// Encode is a reports encoder.
var _ reports.Encoder = reports.EncoderFunc(Encode)

// buildLog builds the whole log: the schema, the version and the one run.
func buildLog(r *reports.Report) *gosarif.Report {
	log := gosarif.NewReport()
	log.Schema = SchemaURI
	return log.AddRun(buildRun(r))
}

// buildRun builds the run: the tool with its rules, the results in their
// order, the invocation and the run's properties.
func buildRun(r *reports.Report) *gosarif.Run {
	occs := occurrences(r)
	rules := buildRules(occs)
	run := gosarif.NewRunWithInformationURI(ToolName, InformationURI)
	if r.Tool.Version != "" {
		run.Tool.Driver.WithVersion(r.Tool.Version)
	}
	run.Tool.Driver.WithRules(rules.descriptors)
	run.WithOriginalUriBaseIds(map[string]gosarif.ArtifactLocation{SourceRootID: sourceRoot()})
	for _, o := range occs {
		run.AddResult(buildResult(r, o, rules.index[o.f.ID]))
	}
	run.AddInvocation(buildInvocation(r))
	return run.WithProperties(runProperties(r))
}

// sourceRoot describes %SRCROOT% without giving its absolute path, which
// would differ between machines.
func sourceRoot() gosarif.ArtifactLocation {
	desc := gosarif.NewTextMessage("The directory fnaudit scan was run from; manifest paths are relative to it.")
	return *gosarif.NewArtifactLocation().WithDescription(desc)
}

// runProperties carries what the report says about the whole application:
// its name and kind, the manifest, and the gate's verdict.
func runProperties(r *reports.Report) *gosarif.PropertyBag {
	p := gosarif.NewPropertyBag()
	p.Add("application", r.Application.Name)
	p.Add("applicationKind", string(r.Application.Kind))
	p.Add("manifest", r.Application.Manifest)
	p.Add("gateFailOn", string(r.Summary.Gate.FailOn))
	p.Add("gatePassed", r.Summary.Gate.Passed)
	p.Add("exitCode", r.Summary.Gate.ExitCode)
	return p
}
