// Package cyclonedx writes fnaudit reports as CycloneDX 1.6 documents, built
// with github.com/CycloneDX/cyclonedx-go: one per function and one per
// application, for auditors to download.
//
// Input: an assessed [reports.Report] (the one intermediate document every
// format is built from). Nothing else is read: no clock, no build info, no
// environment.
//
// Output: [FunctionBOM] and [ApplicationBOM] build the documents,
// [Encode] writes the application document as JSON, [EncodeXML] as XML,
// [EncodeBOM] writes any one document (a per-function download), and
// [WriteDir] writes "<function>.cdx.json" for every function plus
// "application.cdx.json" into a folder ([FileNames] says which name each
// function gets). Documents are built as CycloneDX 1.6 and encoded without
// cyclonedx-go's EncodeVersion, whose gob copy (v0.12.0) drops every false
// boolean ("authenticated": false on a public endpoint). Documents are deterministic: every list is sorted, there
// is no metadata.timestamp, and the serialNumber is a version 8 UUID
// derived from the SHA-256 of the document's own compact JSON (without the
// serial), so the same report gives the same bytes and a different report a
// different serial.
//
// Failure modes: encoders fail only when the writer fails; WriteDir also
// when the folder cannot be created or a file cannot be written or renamed
// (it names the file). A finding whose package is not among the function's
// packages affects the function component instead, so every reference in a
// document resolves.
//
// # Function document
//
// Spec sections, from https://cyclonedx.org/docs/1.6/json/:
//
//   - metadata (https://cyclonedx.org/docs/1.6/json/#metadata): metadata.component is the function (type
//     application, bom-ref "function:<name>") with fnaudit: properties
//     runtime, handler, package_type, manifest, manifest_line, exposure,
//     privilege, privilege_reason, status, error (when incomplete),
//     risk_level, risk_score, risk_reason, and evidence.occurrences naming
//     the manifest file (without line: cyclonedx-go v0.12.0 writes an
//     occurrence's line as an XML attribute, which the 1.6 XSD rejects).
//     metadata.tools (components form) is fnaudit
//     with the report's tool version. metadata.properties describe the
//     application (fnaudit:application:name, :kind, :manifest, :warning),
//     the advisory database snapshot (fnaudit:database:ecosystem, and per
//     ecosystem fnaudit:database:<ecosystem>:records, :modified, :sha256),
//     the policy (fnaudit:policy:file, fnaudit:policy:fail_on:<exposure>)
//     and the application's gate verdict (fnaudit:gate:fail_on, :passed,
//     :exit_code). No timestamp.
//   - components (https://cyclonedx.org/docs/1.6/json/#components): flat, sorted by bom-ref. Each artifact is a
//     component, type file for code and layers (zips or folders), container
//     for an image, bom-ref "function:<name>/<role>:<artifact>", with the
//     artifact's SHA-256 under hashes when it is a 64-digit hex digest (else
//     as property fnaudit:sha256) and properties fnaudit:artifact_role,
//     fnaudit:path, fnaudit:image_ref. Each package is a component of type
//     library, bom-ref "<artifact ref>/<purl>" (or
//     "<ecosystem>:<name>@<version>" without purl), with name, version,
//     purl, group for npm scopes and Maven groups, properties
//     fnaudit:ecosystem, fnaudit:artifact, fnaudit:artifact_role,
//     fnaudit:location, fnaudit:shadowed (only when true) and
//     evidence.occurrences at its location. A ref that would repeat gets a
//     "#2", "#3", ... suffix in a deterministic order.
//   - services (https://cyclonedx.org/docs/1.6/json/#services): one per trigger, bom-ref
//     "function:<name>/trigger:<type>:<detail>", name "<type> <detail>";
//     endpoints holds the request path of HTTP-like triggers, percent-encoded
//     as an IRI reference ("/orders/%7Bid%7D"; the raw method and path are
//     properties fnaudit:http_method and fnaudit:http_path), or a URL found in
//     the detail, else nothing; authenticated is false for auth "none",
//     true for any other known auth, absent when unresolved;
//     x-trust-boundary is true for internet-facing triggers (exposure public
//     or authenticated), false for internal ones, absent when unknown;
//     properties fnaudit:function, fnaudit:trigger_type, fnaudit:auth,
//     fnaudit:exposure.
//   - dependencies (https://cyclonedx.org/docs/1.6/json/#dependencies): the function depends on its services and
//     artifacts (and on a package that names no known artifact); each
//     artifact depends on its packages. Services, and the artifacts of a
//     completely audited function, are declared as empty elements (no
//     dependencies), as the spec asks; packages are not in the graph,
//     because fnaudit does not know what they depend on.
//   - compositions (https://cyclonedx.org/docs/1.6/json/#compositions): aggregate "unknown" over the packages'
//     dependencies, and aggregate "incomplete" over the function's assembly
//     when its audit is incomplete.
//   - vulnerabilities (https://cyclonedx.org/docs/1.6/json/#vulnerabilities): one per finding, sorted by id then
//     affected ref. source names the database the id comes from (GitHub
//     Advisory Database, NVD, Go, PyPA, RustSec, Debian, OSV, ...) and links
//     https://osv.dev/vulnerability/<id>; references are the aliases, each
//     with its source; ratings hold the severity (critical, high, medium,
//     low, unknown), the CVSS base score and vector, and the method told by
//     the vector's prefix (CVSS:4.0 → CVSSv4, 3.1 → CVSSv31, 3.0 → CVSSv3,
//     2.0 or none → CVSSv2); description is the summary; recommendation
//     "Upgrade <package> to <fixed>"; advisories are the record's reference
//     URLs; published and updated come from the record (never the clock);
//     affects names the package component with its version, status
//     affected (the package version is in the advisory's range; whether the
//     function is exploitable is the analysis's to say); properties
//     fnaudit:function, fnaudit:risk, fnaudit:suppressed, fnaudit:exception
//     and fnaudit:exception_status. A rating without a CVSS vector has method
//     "other". A finding whose package the function does not list affects
//     the function component, without versions, and names the package in
//     properties fnaudit:ecosystem, fnaudit:package and fnaudit:version.
//
// # VEX
//
// A finding matched by a policy exception carries an analysis
// (https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis). While the exception suppresses it:
// state is the exception's state (not_affected when it gives none),
// justification its justification (only with not_affected), response its
// responses, and detail "<reason> — owner <owner>, expires <date>". Once
// the exception has expired it no longer suppresses the finding: state is
// in_triage, no justification or response, and the detail says the
// exception expired on <date> and no longer suppresses the finding, and
// what it said. Findings no exception matched have no analysis. Exceptions
// that matched nothing (stale) do not appear.
//
// # Application document
//
// metadata.component is the application (type application, bom-ref
// "application:<name>", properties fnaudit:kind and fnaudit:manifest);
// metadata.tools and metadata.properties are as above. components are the
// functions, each as in its own document (same bom-ref and properties),
// with its artifacts and packages nested as its components. services are
// all the functions' triggers, vulnerabilities all their findings (each
// affecting the package component of its own function), dependencies and
// compositions those of every function plus the application depending on
// its functions. Every bom-ref in a function document is the same in the
// application document, so references carry over.
package cyclonedx
