package html

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// Screenshot size: wide enough for the overview table, tall enough for the
// header, the overview, the exceptions and the first function's findings.
const shotWidth, shotHeight = 1280, 1750

// requireChromium finds Debian's chromium, or skips; CI sets
// FNAUDIT_REQUIRE_TOOLS=1 (and installs it) so that it fails instead.
func requireChromium(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_TOOLS") == "1" {
			t.Fatalf("chromium is required (FNAUDIT_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skip("chromium not installed (apt-get install chromium): browser rendering check skipped")
	}
	return bin
}

// runChromium runs headless chromium offline, with a fresh profile, and
// returns what it printed on stdout.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// TestBrowserRendersSample opens the sample page in headless chromium: the
// rendered DOM shows every function and finding, the script ran (the CSP
// hashes let it), and a screenshot shows the stylesheet applied (the
// critical badge's colour is on it). With -update the screenshot is kept as
// testdata/sample.png for reviewers.
func TestBrowserRendersSample(t *testing.T) {
	bin := requireChromium(t)
	r := reportstest.Sample()
	page := filepath.Join(t.TempDir(), "sample.html")
	if err := os.WriteFile(page, encodeBytes(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	dom := string(runChromium(t, bin, "--dump-dom", url))
	for _, fn := range r.Functions {
		if !strings.Contains(dom, fn.Name) {
			t.Errorf("rendered page lacks function %s", fn.Name)
		}
		for _, f := range fn.Findings {
			if !strings.Contains(dom, ">"+f.ID+"</a>") {
				t.Errorf("rendered page lacks finding %s of %s", f.ID, fn.Name)
			}
		}
	}
	if !strings.Contains(dom, `<html lang="en" class="js">`) || strings.Count(dom, `<button type="button"`) != 9 {
		t.Error("the script did not run (blocked by the CSP?): no js class or no sort buttons")
	}

	shot := filepath.Join(t.TempDir(), "sample.png")
	runChromium(t, bin, "--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", shotWidth, shotHeight), url)
	checkScreenshot(t, shot)
	if golden.Updating() {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "sample.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkScreenshot decodes the screenshot, checks its size, and looks for
// the critical badge's background colour (#82071e).
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != shotWidth || b.Dy() != shotHeight {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), shotWidth, shotHeight)
	}
	if !hasColour(img, 0x82, 0x07, 0x1e) {
		t.Error("no critical badge colour on the screenshot: the stylesheet did not apply (blocked by the CSP?)")
	}
}

func hasColour(img image.Image, r, g, b uint8) bool {
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if uint8(cr>>8) == r && uint8(cg>>8) == g && uint8(cb>>8) == b {
				return true
			}
		}
	}
	return false
}
