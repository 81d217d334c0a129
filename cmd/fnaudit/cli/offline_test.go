package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool finds a command the test needs, or skips; CI sets
// FNAUDIT_REQUIRE_TOOLS=1 (and installs them) so that it fails instead.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (FNAUDIT_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not installed: test skipped (CI installs it)", name)
	}
	return p
}

// tempting builds a zip that invites every network lookup syft knows: a
// go.mod (`go list` would reach the module proxy), a jar whose pom names a
// parent (Maven Central), packages without licences (npm registry, PyPI).
func tempting(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	jar := filepath.Join(dir, "app.jar")
	writeZip(t, jar, [][2]string{
		{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
		{"META-INF/maven/com.example/app/pom.properties", "groupId=com.example\nartifactId=app\nversion=1.0.0\n"},
		{"META-INF/maven/com.example/app/pom.xml", `<project><modelVersion>4.0.0</modelVersion>
<parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>2.7.0</version></parent>
<groupId>com.example</groupId><artifactId>app</artifactId><version>1.0.0</version>
<dependencies><dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId></dependency></dependencies></project>`},
	})
	jarBytes, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	z := filepath.Join(dir, "tempting.zip")
	writeZip(t, z, [][2]string{
		{"go.mod", "module example.com/fn\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n"},
		{"go.sum", "github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"},
		{"main.go", "package main\n\nimport _ \"github.com/pkg/errors\"\n\nfunc main() {}\n"},
		{"node_modules/left-pad/package.json", `{"name":"left-pad","version":"1.3.0"}`},
		{"python/requests-2.28.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n"},
		{"python/requests-2.28.1.dist-info/RECORD", ""},
		{"lib/app.jar", string(jarBytes)},
	})
	return z
}

// TestScanOpensNoConnection runs a scan under strace and fails on any
// connect(2): not to the internet, not to a Docker or containerd socket.
func TestScanOpensNoConnection(t *testing.T) {
	strace := requireTool(t, "strace")
	z := tempting(t)
	logFile := filepath.Join(t.TempDir(), "strace.log")
	out := filepath.Join(t.TempDir(), "r.json")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=connect", "-o", logFile,
		os.Args[0], "scan", "--db", testDB, "--format", "json="+out, z)
	cmd.Env = append(os.Environ(), envChild+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scan under strace: %v\n%s", err, stderr.String())
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(log), "\n") {
		// A cgo-built test binary asks libc for the user's home directory,
		// and glibc tries the local name-service cache daemon first: a
		// local lookup, not a connection the scan makes (the release
		// binary is built with CGO_ENABLED=0 and has no libc).
		if strings.Contains(line, "connect(") && !strings.Contains(line, `"/var/run/nscd/socket"`) {
			t.Errorf("the scan opened a connection: %s", line)
		}
	}
	doc, _ := readReport(t, out)
	var names []string
	for _, p := range doc.Functions[0].Packages {
		names = append(names, p.Name)
	}
	for _, want := range []string{"left-pad", "requests", "com.example:app"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("package %s not catalogued (got %v): the test would prove nothing", want, names)
		}
	}
}

// TestScanInNetworkNamespace runs the same scan with no network at all and
// expects byte-identical output.
func TestScanInNetworkNamespace(t *testing.T) {
	unshare := requireTool(t, "unshare")
	if err := exec.Command(unshare, "-n", "true").Run(); err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_TOOLS") == "1" {
			t.Fatalf("unshare -n: %v", err)
		}
		t.Skipf("cannot create a network namespace here (%v): test skipped", err)
	}
	z := tempting(t)
	dir := t.TempDir()
	withNet, without := filepath.Join(dir, "net.json"), filepath.Join(dir, "nonet.json")
	if r := run(t, "scan", "--db", testDB, "--format", "json="+withNet, z); r.code != 0 {
		t.Fatalf("scan: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(unshare, "-n", os.Args[0], "scan", "--db", testDB, "--format", "json="+without, z)
	cmd.Env = append(os.Environ(), envChild+"=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scan in a network namespace: %v\n%s", err, b)
	}
	a, _ := os.ReadFile(withNet)
	b, _ := os.ReadFile(without)
	if !bytes.Equal(a, b) {
		t.Error("the scan without network gave a different report")
	}
}
