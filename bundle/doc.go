// Package bundle holds fnaudit's function model and turns a deployment into it.
//
// Input: a path given to `fnaudit scan` — for now a single deployment zip, later
// a manifest (Serverless Framework, SAM/CloudFormation, CDK, Terraform plan, Azure
// Functions) or an image archive.
//
// Output: an [Application] whose [Function]s each list the [Artifact]s the
// platform runs for them (code, then layers in load order, or an image), their
// [Trigger]s with exposure, and their execution [Role] with its privilege.
//
// Failure modes: a manifest that cannot be read or parsed is an error naming the
// file (the run stops with exit code 2: nothing can be audited). An artifact that
// is missing, corrupt or hostile is not an error of Load: it fails that function
// later, when it is unpacked (see package unpack), and the function is reported
// incomplete while the others are still audited.
package bundle
