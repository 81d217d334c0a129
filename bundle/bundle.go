package bundle

// Kind names the kind of deployment an application was read from, as written in
// the report's application.kind field.
type Kind string

// Deployment kinds.
const (
	KindServerless     Kind = "serverless"
	KindSAM            Kind = "sam"
	KindCloudFormation Kind = "cloudformation"
	KindCDK            Kind = "cdk"
	KindTerraform      Kind = "terraform"
	KindAzure          Kind = "azure"
	// KindBundle is a single artifact given without a manifest: one function,
	// exposure unknown.
	KindBundle Kind = "bundle"
)

// Exposure says how a trigger, or a function through its widest trigger, can be
// reached.
type Exposure string

// Exposures, from widest to narrowest; see [Exposure.Rank].
const (
	ExposurePublic        Exposure = "public"
	ExposureAuthenticated Exposure = "authenticated"
	ExposureInternal      Exposure = "internal"
	ExposureUnknown       Exposure = "unknown"
)

// Rank orders exposures for "widest wins": public 3, unknown 2, authenticated 1,
// internal 0. Unknown ranks above authenticated because an unresolved trigger
// may be public, and fnaudit errs on the side of caution.
func (e Exposure) Rank() int {
	switch e {
	case ExposurePublic:
		return 3
	case ExposureUnknown:
		return 2
	case ExposureAuthenticated:
		return 1
	default:
		return 0
	}
}

// Privilege rates what a function's execution role may do.
type Privilege string

// Privileges.
const (
	PrivilegeAdmin   Privilege = "admin"
	PrivilegeBroad   Privilege = "broad"
	PrivilegeScoped  Privilege = "scoped"
	PrivilegeUnknown Privilege = "unknown"
)

// ArtifactRole says what an artifact is to its function.
type ArtifactRole string

// Artifact roles.
const (
	RoleCode  ArtifactRole = "code"
	RoleLayer ArtifactRole = "layer"
	RoleImage ArtifactRole = "image"
)

// Location points into a manifest: the file and the 1-based line a function or
// trigger was defined on (0 when unknown).
type Location struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

// Artifact is one file or folder the platform runs for a function.
type Artifact struct {
	Role ArtifactRole `json:"role"`
	// Name identifies the artifact in reports: the function name for code, the
	// layer's name for a layer.
	Name string `json:"name"`
	// Path is where the artifact is on disk, as the user gave it or as resolved
	// against the manifest's folder.
	Path string `json:"path"`
	// SHA256 is the hex digest of the artifact file (empty for folders until
	// computed, and when the file could not be read).
	SHA256 string `json:"sha256,omitempty"`
	// Mount is where the platform places the artifact's contents at run time
	// ("/var/task" for code, "/opt" for layers).
	Mount string `json:"-"`
}

// Trigger is one way a function is invoked.
type Trigger struct {
	Type     string   `json:"type"`
	Detail   string   `json:"detail"`
	Auth     string   `json:"auth"`
	Exposure Exposure `json:"exposure"`
	Source   Location `json:"-"`
}

// Role is a function's execution role, rated.
type Role struct {
	Name      string
	Privilege Privilege
	// Reasons say why the privilege is what it is, in words ("s3:* on *").
	Reasons []string
}

// Function is one deployed function.
type Function struct {
	Name        string
	Runtime     string
	Handler     string
	PackageType string // "zip" or "image"
	Source      Location
	// Artifacts are in load order: code first, then layers in the order the
	// platform applies them (a later layer overwrites an earlier one at /opt).
	Artifacts []Artifact
	Triggers  []Trigger
	Role      Role
}

// Exposure is the widest exposure of the function's triggers, or unknown when
// it has none that are known.
func (f *Function) Exposure() Exposure {
	if len(f.Triggers) == 0 {
		return ExposureUnknown
	}
	widest := ExposureInternal
	for _, t := range f.Triggers {
		if t.Exposure.Rank() > widest.Rank() {
			widest = t.Exposure
		}
	}
	return widest
}

// Application is a deployment: a set of functions read from one manifest.
type Application struct {
	Name      string
	Kind      Kind
	Manifest  string
	Functions []*Function
}
