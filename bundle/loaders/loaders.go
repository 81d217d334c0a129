// Package loaders is the one table of deployment manifest loaders, in
// detection order. `fnaudit scan PATH` tries them in turn; the first that
// recognises PATH reads it.
package loaders

import (
	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/azure"
	"github.com/fnaudit/fnaudit/bundle/cloudformation"
	"github.com/fnaudit/fnaudit/bundle/serverless"
	"github.com/fnaudit/fnaudit/bundle/terraform"
)

// All returns the manifest loaders in detection order: Serverless Framework,
// SAM/CloudFormation, CDK, Terraform plan, Azure Functions.
func All() []bundle.Loader {
	return []bundle.Loader{
		serverless.New(),
		cloudformation.New(),
		cloudformation.NewCDK(),
		terraform.New(),
		azure.New(),
	}
}
