package audit

import (
	"bytes"
	"context"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/cyclonedx"
	"github.com/fnaudit/fnaudit/store"
)

// RecordScan saves a scan's report in st, with each function's CycloneDX
// document (reports/cyclonedx.FunctionBOM, the bytes `--format
// cyclonedx=DIR` writes): the SBOM a later rescan re-matches.
func RecordScan(ctx context.Context, st store.Store, r *reports.Report, labels map[string]string) (store.Entry, error) {
	docs, err := FunctionDocuments(r)
	if err != nil {
		return store.Entry{}, err
	}
	return st.Save(ctx, store.Record{Kind: store.KindScan, Report: r, Documents: docs, Labels: labels})
}

// FunctionDocuments encodes the CycloneDX document of each function of r,
// by index of r.Functions.
func FunctionDocuments(r *reports.Report) ([]store.Document, error) {
	docs := make([]store.Document, len(r.Functions))
	for i := range r.Functions {
		var buf bytes.Buffer
		if err := cyclonedx.EncodeBOM(&buf, cyclonedx.FunctionBOM(r, &r.Functions[i]), cdx.BOMFileFormatJSON); err != nil {
			return nil, fmt.Errorf("the SBOM of function %s: %w", r.Functions[i].Name, err)
		}
		docs[i] = store.Document{JSON: buf.Bytes()}
	}
	return docs, nil
}

// AttributeScanLayers sets the layer fixes of a scan's report: within the
// application, and, when st is not nil, across the newest entries of the
// other applications in the store that run the same layer digests.
func AttributeScanLayers(ctx context.Context, st store.Store, r *reports.Report) error {
	var uses []store.LayerUse
	if st != nil {
		var err error
		if uses, err = st.LayerUses(ctx, LayerDigests([]*reports.Report{r})); err != nil {
			return err
		}
	}
	AttributeLayerFixes([]*reports.Report{r}, uses)
	return nil
}
