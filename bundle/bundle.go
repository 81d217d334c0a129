package bundle

import "context"

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
	// Ref picks the image inside an image archive that holds several (a
	// RepoTag such as "123.dkr.ecr.eu-west-1.amazonaws.com/app:1.2").
	Ref string `json:"ref,omitempty"`
	// Remote is the registry reference of an image that is not available
	// locally. The audit pulls it only when the user allows network access
	// (--allow-network); otherwise Problem says how to provide it.
	Remote string `json:"remote,omitempty"`
	// Mount is where the platform places the artifact's contents at run time
	// ("/var/task" for code, "/opt" for layers, "/" for an image).
	Mount string `json:"-"`
	// Problem, when set, says why the artifact cannot be read locally (code
	// in S3, an image only in a registry, an inline ZipFile): the function
	// is reported incomplete with this reason instead of being unpacked.
	Problem string `json:"-"`
}

// Trigger is one way a function is invoked.
type Trigger struct {
	// Type is the event source, lower case: http, url, sqs, sns, s3,
	// schedule, stream, eventbridge, alb, websocket, cloudfront, cognito,
	// iot, kafka, mq, logs, alexa, permission (AWS); queue, timer, blob,
	// eventhub, servicebus, cosmosdb, ... (Azure); pubsub, storage,
	// firestore, event (GCP); unknown.
	Type string `json:"type"`
	// Detail says which one, in the manifest's words ("GET /orders
	// (httpApi)", "queue PaymentsQueue").
	Detail string `json:"detail"`
	// Auth is how callers authenticate: none, iam, jwt, cognito, custom
	// (a Lambda authorizer), api_key, function_key, admin_key, aws (an AWS
	// service invokes it), platform (an Azure service or host invokes it),
	// gcp (a Google Cloud service invokes it), or unresolved.
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
	// Standalone is set for a function given without a manifest (a lone
	// zip): nothing is known of how it is invoked.
	Standalone bool
}

// Exposure is the widest exposure of the function's triggers. A function of
// a manifest with no trigger can only be invoked by callers holding IAM
// permission on it (another function, an API Gateway authorizer hook, a
// step function): internal. A standalone function's exposure is unknown.
func (f *Function) Exposure() Exposure {
	if f.Standalone {
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
	// Warnings are things of the manifest fnaudit could not resolve but
	// that did not stop it (an unresolved intrinsic, an unknown event
	// type), each naming the file and line.
	Warnings []string
}

// Loader reads one kind of deployment manifest.
type Loader interface {
	// Kind is the kind of application the loader produces.
	Kind() Kind
	// Detect says whether path (a file, or a directory that holds one at
	// its conventional place) is this kind's manifest, and returns the
	// manifest file.
	Detect(path string) (manifest string, ok bool)
	// Load reads the manifest. A manifest that cannot be parsed is an
	// error naming the file and line; missing artifacts are not (they fail
	// their function when the audit reads them).
	Load(ctx context.Context, manifest string) (*Application, error)
}
