// Package cloudformation reads AWS SAM and CloudFormation templates ([New])
// and AWS CDK cloud assemblies ([NewCDK]) into fnaudit's function model.
//
// # Input
//
// SAM/CloudFormation: a template file, recognised by its content (a
// Resources key and AWSTemplateFormatVersion, Transform or a Lambda/SAM
// resource type), or a directory holding one, looked for in this order:
// .aws-sam/build/template.yaml (the output of `sam build`, whose CodeUri
// point at built folders), template.{yaml,yml,json}, then packaged
// templates (packaged.yaml, packaged-template.yaml, template-packaged.yaml
// and their .yml/.json forms). YAML and JSON are read by one YAML parser,
// so every function and trigger is located at its line in either.
// The application is named after samconfig.toml's stack_name, else the
// project folder; its Kind is sam when Transform holds
// AWS::Serverless-2016-10-31, else cloudformation.
//
// CDK: a cdk.out folder, a folder holding cdk.out/, or the manifest.json
// itself, whose artifacts include an aws:cloudformation:stack or a nested
// assembly (cdk:cloud-assembly, a stage). Every stack
// (also in nested assemblies, i.e. stages, and nested stacks whose
// templates are in the assembly) is read as a CloudFormation template, and
// all functions are merged into one application, named after the stack
// when there is one, else after the folder holding cdk.out. A function is
// named after its FunctionName when written as a literal, else its
// construct id (the aws:cdk:path segment before "Resource"), else its
// logical id; two functions of one stack with the same name take their
// logical ids, and a name two stacks share is prefixed with the stack name
// ("WorkerStack/Handler"). Code and layers are found through the
// aws:asset:path metadata, else through the asset hash in their S3 key and
// the *.assets.json manifests; Docker image assets are built at deploy
// time, so they are a problem unless an archive tagged cdkasset-<hash> is
// near the app. A synthesized stack template given on its own to [New] is
// read the same way (its aws:asset:path metadata still finds the code).
//
// # What is read
//
//   - Intrinsic functions, long ({"Fn::Sub": ...}) and short (!Sub, !GetAtt
//     A.B, ...). Resolved locally: Ref to a parameter (its Default; SSM
//     parameter types and parameters without a default stay unresolved),
//     Ref to a resource (its logical id), Fn::Sub, Fn::Join, Fn::Select,
//     Fn::Split, Fn::FindInMap on Mappings, Fn::Base64, Fn::Length, and
//     Fn::If / resource Conditions when the condition can be evaluated from
//     parameter defaults (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition).
//     Pseudo parameters (AWS::Region, AWS::AccountId, ...), Fn::GetAtt,
//     Fn::ImportValue, Fn::GetAZs, Fn::Cidr and transforms stay unresolved;
//     nothing is guessed. A resource whose condition is false is not read
//     (with a warning). Circular conditions are reported, not followed.
//   - AWS::Serverless::Function, with Globals.Function merged as SAM does
//     (scalars: the function's value wins; mappings merge key by key; lists
//     concatenate, globals first; an intrinsic function counts as a scalar;
//     Role, Policies, FunctionName and Events are not accepted in Globals).
//     CodeUri (folder or zip relative to the template; without CodeUri,
//     `sam build` packages the template's folder), InlineCode, PackageType
//     Image with ImageUri / Metadata DockerTag, Layers, Events, FunctionUrlConfig,
//     Policies and Role. An image holds its own runtime: Globals' Runtime,
//     Handler and Layers do not apply to it, and Lambda applies no layers
//     to it. At most 5 layers (Lambda's limit) are read.
//   - AWS::Lambda::Function (Code as a local path, as `aws cloudformation
//     package` takes it, {S3Bucket, S3Key}, {ZipFile}, {ImageUri}),
//     AWS::Lambda::LayerVersion, AWS::Serverless::LayerVersion.
//   - Triggers: SAM events (Api, HttpApi, SQS, SNS, S3, Schedule,
//     ScheduleV2, EventBridgeRule, CloudWatchEvent, CloudWatchLogs, Kinesis,
//     DynamoDB, DocumentDB, MSK, MQ, SelfManagedKafka, Cognito, IoTRule,
//     AlexaSkill), AWS::Lambda::Url, AWS::Lambda::Permission,
//     AWS::Lambda::EventSourceMapping, AWS::ApiGateway::Method (path from
//     the AWS::ApiGateway::Resource chain), AWS::ApiGatewayV2::Route (via its
//     Integration) and quick-create APIs, and Lambda target groups of
//     AWS::ElasticLoadBalancingV2 load balancers. Functions are found
//     through Ref, Fn::GetAtt, Fn::Sub/Fn::Join pieces, aliases and versions,
//     or a literal FunctionName.
//   - Roles: SAM Policies (managed policy names or ARNs, inline documents,
//     SAM policy templates expanded to their statements; an unknown policy
//     template is taken as scoped and named in the reasons), the role SAM
//     creates (AWSLambdaBasicExecutionRole, plus AWSXrayWriteOnlyAccess with
//     Tracing Active), AWS::IAM::Role (Policies, ManagedPolicyArns) and the
//     AWS::IAM::Policy, ManagedPolicy and RolePolicy resources attached to
//     it; rated by package iam. A role ARN defined elsewhere is unknown.
//
// Exposure follows DESIGN.md: an API route without authorizer, a function
// URL with AuthType NONE, or a permission to principal "*" (without a
// condition narrowing it) is public; an authorizer, IAM, JWT, Cognito or
// an API key make it authenticated; event sources and AWS service
// principals are internal; private API endpoints and internal load
// balancers are internal. A permission whose Action does not invoke
// (lambda:GetFunction) makes no trigger; one for a function URL
// (lambda:InvokeFunctionUrl, InvokedViaFunctionUrl) adds nothing to the
// URL's own trigger. A permission for API Gateway adds nothing when
// methods or routes of the template already integrate the function, and
// is unknown otherwise. Anything unresolved that decides an exposure makes
// the trigger unknown with auth "unresolved", and a warning names the
// file and line.
//
// # Output
//
// A [bundle.Application] whose functions are sorted by name; each has its
// Source (template and line of its logical id), its artifacts (code at
// /var/task, then layers at /opt in the order listed, or an image),
// triggers located at the line of their event or resource, and its rated
// role. Artifact paths are joined onto the template's folder (relative when
// the template path was). Artifacts that cannot be read locally (code in
// S3, inline code, an image only in a registry, an unresolved location)
// carry a Problem saying how to make them available; their existence is
// not checked here.
//
// Container images are looked for as `docker save` / OCI archives (*.tar)
// in the project folder and up to three folders below it, matched by the
// RepoTags of their manifest.json (or the image names of index.json); only
// those two entries are read, within a few MiB.
//
// # Failure modes
//
// A template that cannot be parsed is a [*ParseError] naming the file and
// line ("template.yaml:12: parsing yaml: ..."). Templates over 16 MiB, or
// that YAML aliases expand to more than four times their own size (at
// least 200,000, at most 2,000,000 values), are rejected ([ErrTooLarge]),
// and so are values nested deeper than 200 levels. Everything else wrong in a
// template (a string where a mapping belongs, an unknown event type, a
// reference to nothing, a key given twice) is a warning naming the line,
// and the rest is still read. Unknown resource types are ignored, nested
// SAM applications and (outside CDK assemblies) nested stacks are named
// in a warning, and Fn::ForEach (AWS::LanguageExtensions) is not expanded.
//
// Format references:
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
//   - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
//   - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
//   - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
//   - https://docs.aws.amazon.com/cdk/v2/guide/deploy.html (cloud assemblies) and
//     https://github.com/aws/aws-cdk/tree/main/packages/aws-cdk-lib/cloud-assembly-schema
package cloudformation
