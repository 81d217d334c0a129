package azure

import (
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// settingsFile holds the app settings for local runs. It is not deployed
// (publishing leaves it out), so only the worker runtime and the Python
// script file name are read from it, never anything about exposure.
const settingsFile = "local.settings.json"

// localSettings is what the loader uses of local.settings.json.
type localSettings struct {
	runtime      string // FUNCTIONS_WORKER_RUNTIME
	pythonScript string // PYTHON_SCRIPT_FILE_NAME
}

// readLocalSettings reads local.settings.json when the app folder has one.
func readLocalSettings(a *appFS, n *notes) localSettings {
	if a.isZip || !a.isFile(settingsFile) {
		return localSettings{}
	}
	file := a.loc(settingsFile)
	data, err := a.readFile(settingsFile, maxJSONBytes)
	if err != nil {
		n.addErr(file, "ignored", err)
		return localSettings{}
	}
	root, err := parseJSON(file, data)
	if err != nil {
		n.addErr(file, "ignored", err)
		return localSettings{}
	}
	values := field(root, "Values")
	if values == nil || values.Kind != yaml.MappingNode {
		return localSettings{}
	}
	return localSettings{
		runtime:      strings.ToLower(fieldText(values, "FUNCTIONS_WORKER_RUNTIME")),
		pythonScript: fieldText(values, "PYTHON_SCRIPT_FILE_NAME"),
	}
}

// appRuntime is the app's worker runtime: FUNCTIONS_WORKER_RUNTIME from
// local.settings.json, else "custom" for a custom handler, else what the
// declarations say, else inferred from the app's files.
func appRuntime(a *appFS, h *hostConfig, s localSettings, defs []*funcDef) string {
	switch {
	case s.runtime != "":
		return s.runtime
	case h.customHandler:
		return "custom"
	}
	for _, d := range defs {
		if d.runtime != "" {
			return d.runtime
		}
	}
	return runtimeOfFiles(a)
}

// runtimeOfFiles infers the worker runtime from the files at the app's
// root: package.json (node), function_app.py or requirements.txt (python),
// requirements.psd1 or profile.ps1 (powershell), a Maven or Gradle build
// (java), a C# project or assemblies (dotnet).
func runtimeOfFiles(a *appFS) string {
	switch {
	case a.isFile("package.json"):
		return "node"
	case a.isFile("function_app.py") || a.isFile("requirements.txt"):
		return "python"
	case a.isFile("requirements.psd1") || a.isFile("profile.ps1"):
		return "powershell"
	case a.isFile("pom.xml") || a.isFile("build.gradle") || a.isFile("build.gradle.kts"):
		return "java"
	case hasDotnetProject(a) || len(a.glob("bin/*.dll", 1)) > 0 || len(a.glob("*.dll", 1)) > 0:
		return "dotnet"
	}
	return ""
}

// hasDotnetProject says whether the app's root holds a C# or F# project
// other than extensions.csproj (which apps of every language use to
// install binding extensions).
func hasDotnetProject(a *appFS) bool {
	for _, p := range append(a.glob("*.csproj", 2), a.glob("*.fsproj", 1)...) {
		if !strings.EqualFold(p, "extensions.csproj") {
			return true
		}
	}
	return false
}

// runtimeOfFolder infers the worker runtime of a function.json without
// scriptFile from the file the worker loads by default.
func runtimeOfFolder(a *appFS, dir string) string {
	for _, c := range []struct{ file, runtime string }{
		{"index.js", "node"}, {"index.mjs", "node"}, {"__init__.py", "python"},
		{"run.ps1", "powershell"}, {"run.csx", "dotnet"}, {"run.fsx", "dotnet"},
	} {
		if a.isFile(dir + "/" + c.file) {
			return c.runtime
		}
	}
	return ""
}

// runtimeOfFile infers the worker runtime from a scriptFile's extension.
func runtimeOfFile(file string) string {
	switch strings.ToLower(path.Ext(file)) {
	case ".js", ".mjs", ".cjs":
		return "node"
	case ".py":
		return "python"
	case ".dll", ".exe", ".csx":
		return "dotnet"
	case ".jar":
		return "java"
	case ".ps1", ".psm1":
		return "powershell"
	}
	return ""
}

// functionRuntime is a function's runtime: the app's, else what its own
// declaration says.
func functionRuntime(app string, d *funcDef) string {
	if app != "" {
		return app
	}
	return d.runtime
}
