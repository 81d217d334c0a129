// Package serverless reads Serverless Framework applications (v3; v2 and v4
// where they write the same): the functions of an AWS service, the artifacts
// `serverless package` builds for them, how each can be invoked, and what its
// execution role may do.
//
// # Input
//
// [Loader.Detect] accepts .serverless/serverless-state.json (what `serverless
// package` wrote: preferred, because it is what was packaged, with every
// variable resolved), or else serverless.yml, serverless.yaml or
// serverless.json, given directly or as the folder holding them (a .serverless
// folder given itself is accepted too). serverless.ts and serverless.js are
// detected but refused: a configuration written as code is not run; the
// error asks for `serverless package`.
//
// From the configuration (https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml)
// or the state's "service" object, the loader reads service, provider
// (runtime, stage, region, layers, iam, iamRoleStatements, iamManagedPolicies,
// role, httpApi.authorizers, alb.authorizers, ecr.images, vpc), functions (a
// mapping, or a list of mappings), layers, package and resources
// (resources.Resources, also as a list). YAML anchors, aliases and merge keys
// ("<<: *defaults") and CloudFormation short tags (!Ref, !GetAtt, ...) are
// understood; the state's json-cycle references ({"$ref": "$[\"service\"]..."},
// written for objects met twice) are followed.
//
// Variables (https://www.serverless.com/framework/docs/providers/aws/guide/variables)
// are resolved as `serverless package` would without CLI options, credentials
// or network: ${self:a.b} (including whole objects, `authorizer:
// ${self:custom.auth}`), ${sls:stage} (provider.stage, else "dev"),
// ${aws:region} (provider.region, else "us-east-1"), and fallbacks, where the
// first available source wins: ${opt:stage, 'dev'} is "dev". ${opt:...} and
// ${env:...} are never read (a scan's result must not depend on fnaudit's own
// environment); ${ssm:...}, ${file(...)}, ${cf:...}, ${s3:...}, ${param:...}
// and plugin sources cannot be resolved. What cannot be resolved stays as
// written and is reported where it decides something; a reference leading
// back to itself is reported as a circular reference.
//
// # Output
//
// An [bundle.Application] named after the service (else its folder), with
// one [bundle.Function] per function, sorted by name:
//
//   - Artifacts (https://www.serverless.com/framework/docs/providers/aws/guide/packaging):
//     the code at /var/task from the function's package.artifact, else the
//     service's, else .serverless/<function>.zip (package.individually,
//     service-wide or per function) or .serverless/<service>.zip; then the
//     layers at /opt in the function's order (provider.layers when it has
//     none). A layer of the service's layers section, referenced as
//     {Ref: <Name>LambdaLayer} (the framework's logical id: first letter
//     upper-cased, "-" as Dash, "_" as Underscore) or by the ARN of its
//     published name, is its package.artifact or .serverless/<layer>.zip;
//     any other layer ARN is "published outside this service: not available
//     locally". An image function's artifact is a `docker save` archive at
//     .serverless/<image name>.tar or .serverless/<function>.tar when one
//     exists, else a problem saying how to make one. Code in S3 (s3:// or
//     https:// artifacts) and unresolved paths are problems too. Relative
//     paths are joined onto the manifest's folder. The state file holds
//     absolute paths of the machine that packaged the service
//     (/home/runner/work/app/app/.serverless/createOrder.zip, or a Windows
//     D:\a\... path): a file of that machine's .serverless folder is looked
//     for in the .serverless folder beside the state file, another file of
//     the same service folder under this service folder.
//   - Triggers, one per event (https://www.serverless.com/framework/docs/providers/aws/events):
//     http (REST API: "GET /path" or {method, path}; authenticated with an
//     authorizer — a function name or Lambda ARN (custom), a Cognito user
//     pool (cognito), aws_iam (iam) — or `private: true` (api_key); public
//     otherwise); httpApi ("*", "GET /path" or a mapping; authenticated with
//     an authorizer: aws_iam, a provider.httpApi.authorizers entry by name
//     (jwt, or custom for type request / functionName), or an existing one
//     by id; public otherwise); the function's url (true: public, AuthType
//     NONE; {authorizer: aws_iam}: authenticated); alb (public — "internet-
//     facing unless the load balancer is internal" — unless a cognito/oidc
//     authorizer of provider.alb.authorizers denies anonymous requests);
//     websocket (every route is authenticated when the service's $connect
//     route has an authorizer, public otherwise); cloudFront (public);
//     sqs, sns, s3, schedule, stream, eventBridge, cloudwatchEvent,
//     cloudwatchLog, cognitoUserPool, iot, iotFleetProvisioning, alexaSkill,
//     alexaSmartHome, kafka, msk, rabbitmq and activemq (internal, auth aws).
//     An unknown event type, an event that is not a mapping, and an
//     authorizer (or private, or url setting) that is an unresolved variable
//     or names an undefined authorizer give exposure unknown, auth
//     "unresolved", and a warning. A function with no event (an authorizer
//     function) is internal.
//   - Role (https://www.serverless.com/framework/docs/providers/aws/guide/iam),
//     rated by [iam.Rate]: for a packaged service, the role the compiled
//     template (provider.compiledCloudFormationTemplate, else
//     cloudformation-template-update-stack.json) gives the function, which
//     includes what the framework adds; otherwise the function's role (a
//     logical id or !GetAtt of an AWS::IAM::Role of resources.Resources, whose
//     Policies, ManagedPolicyArns and attached AWS::IAM::Policy /
//     ManagedPolicy resources are read; an ARN or an undefined role is
//     unknown), a per-function role from iamRoleStatements (the
//     serverless-iam-roles-per-function plugin, with iamRoleStatementsInherit),
//     or the provider's role: provider.iam.role.statements and
//     managedPolicies (v3), provider.iamRoleStatements and iamManagedPolicies
//     (v2), provider.iam.role or provider.role naming an existing role
//     (unknown when it is an ARN), plus the framework's own log permissions.
//     An action or resource that is wholly an unresolved variable makes the
//     rating unknown (unless the rest is already broad or admin).
//
// # Locations
//
// Every function and trigger records where it is defined. For serverless.yml
// that is the line of the function's key and of each event (or of the url
// key). For a state file, it is the line in the state file, except that when
// the configuration the service was packaged from (serviceFilename, else
// serverless.yml/.yaml/.json) is beside the .serverless folder, functions
// point at their key in it — what a developer edits — and triggers at their
// event there when the configuration lists as many events for the function as
// the state does.
//
// # Failure modes
//
// A manifest that cannot be used at all is an error naming the file and,
// when known, the line ("serverless.yml:9: invalid yaml: found a tab
// character that violates indentation"): a YAML/JSON syntax error, an empty
// file or a top level that is not a mapping, a state file without its
// "service" object, functions that are not a mapping (or come wholly from an
// unresolved ${file(...)}), a file over 16 MiB. Anything else is read as far
// as it can be and reported in Application.Warnings, each naming file and
// line (at most 500, then a count of those left out). Hostile input is bounded: aliases, $refs and variables are followed
// a bounded number of hops (yaml.v3 itself expands no alias into a node
// graph), values converted for IAM are bounded in depth and size, variable
// nesting and resolved lengths are capped. Missing artifacts are not
// checked: the audit reports them on their function.
package serverless
