// Package terraform reads the functions of a Terraform plan: the JSON that
// `terraform show -json PLANFILE` prints, documented at
// https://developer.hashicorp.com/terraform/internals/json-format.
//
// # Input
//
// A plan JSON file (at most 64 MiB) whose top level holds format_version
// (0.x or 1.x) and planned_values or configuration, or a folder holding
// plan.json, tfplan.json or *.tfplan.json (the first of them, in that order,
// that is such a file). Detect parses only the first 64 KiB and searches the
// rest of a bigger file for the keys as text; it opens regular files only.
// A saved binary plan (the zip `terraform plan -out` writes) is detected so
// that Load can say how to convert it. UTF-8 with a byte order mark and the
// UTF-16 that Windows PowerShell 5 writes when output is redirected are
// read too.
//
// Resources are read from planned_values.root_module and its child_modules,
// recursively. Values missing there come from resource_changes[].change.after
// (with after_unknown saying what is only known after apply), and data
// sources from prior_state. Resources the plan deletes are left out. The
// configuration section links resources whose values are unknown at plan
// time: an expression's references (aws_iam_role.lambda.arn) are resolved
// module-relative, through module outputs (module.fn.arn) and module
// variables (var.role_arn) into and out of child modules, with instance keys
// ([0], ["a"]) honoured when present.
//
// # Output
//
// One [bundle.Application] named after the plan's folder, with one
// [bundle.Function] per aws_lambda_function, google_cloudfunctions_function
// and google_cloudfunctions2_function, sorted by name (function_name or
// name; a name defined in two modules is prefixed with the module address,
// and a name still shared is replaced by the resource address).
// Function.Source is the plan file and the line of the resource's object in
// planned_values (else resource_changes, else prior_state): a plan carries no
// line numbers of the .tf files, so the line points into the plan JSON.
// terraform show -json prints the plan on one line; pretty-print it (jq .
// plan.json) for lines that tell resources apart. Triggers are located the
// same way, at the resource that defines them.
//
// Artifacts. A zip function's code (mount /var/task) is its filename. A
// relative path is joined onto the plan's folder, as Terraform reads it
// relative to the folder it runs in; a literal filename written in a child
// module is joined onto that module's folder (its local source, or the Dir
// .terraform/modules/modules.json gives) unless only the root-relative file
// exists. A filename only known after apply is looked up through references
// to a data.archive_file's output_path. Layers (mount /opt) follow in the
// order of the layers list: a known ARN is matched to the plan's
// aws_lambda_layer_version by ARN or layer_name; an element only known after
// apply takes the next layer the configuration references. Code in S3
// (s3_bucket/s3_key), a layer not built by the plan, and container images
// (package_type Image, image_uri: an "image" artifact, only in a registry)
// get a Problem saying how to make them available. Cloud Functions (mount
// /workspace) take the local source file of the google_storage_bucket_object
// their source archive names; code only in Cloud Storage or a source
// repository gets a Problem.
//
// Triggers and their exposure:
//   - aws_lambda_function_url: NONE public, AWS_IAM authenticated (iam);
//   - aws_api_gateway_integration → its aws_api_gateway_method: authorization
//     NONE public (api_key when api_key_required: authenticated), AWS_IAM,
//     CUSTOM, COGNITO_USER_POOLS authenticated; a PRIVATE REST API internal.
//     The path is built from the aws_api_gateway_resource chain;
//   - aws_apigatewayv2_route → target → aws_apigatewayv2_integration:
//     authorization_type NONE public, AWS_IAM, JWT, CUSTOM authenticated;
//     an aws_apigatewayv2_api with target (quick create) public;
//   - aws_lambda_permission: principal * public (authenticated with
//     principal_org_id), an account authenticated, apigateway.amazonaws.com
//     and elasticloadbalancing.amazonaws.com only when no route or load
//     balancer of the plan says more (then unknown), other service
//     principals internal;
//   - internal: aws_lambda_event_source_mapping (SQS, Kinesis, DynamoDB, MSK,
//     self-managed Kafka, MQ, DocumentDB), aws_cloudwatch_event_target
//     (schedule or eventbridge), aws_scheduler_schedule,
//     aws_s3_bucket_notification, aws_sns_topic_subscription (protocol
//     lambda), aws_cloudwatch_log_subscription_filter, aws_iot_topic_rule,
//     aws_cognito_user_pool lambda_config;
//   - aws_cloudfront_distribution Lambda@Edge associations public;
//   - aws_lb_target_group_attachment: public behind an internet-facing load
//     balancer, authenticated when the listener authenticates first,
//     internal behind an internal one;
//   - GCP: an event_trigger internal; an HTTP function public when allUsers
//     or allAuthenticatedUsers (any Google account) holds an invoking role
//     through google_cloudfunctions_function_iam_*,
//     google_cloudfunctions2_function_iam_* or google_cloud_run(_v2)_service_iam_*
//     (member, binding or policy), authenticated otherwise, internal with
//     ingress ALLOW_INTERNAL_ONLY.
//
// A trigger resource names its function by value (a function name, an ARN,
// an API Gateway invoke ARN, an alias) or through configuration references.
// A value only known after apply that no reference resolves leaves the
// trigger unattributed, with a warning; an authorization only known after
// apply gives the trigger auth "unresolved" and exposure unknown. A value
// that names more than 16 functions (a hostile or generated plan) is not
// attributed. Triggers an AWS service fires have auth "aws", those a GCP
// service fires "gcp".
//
// Roles. A Lambda function's role (by reference, ARN or name) is rated with
// [iam.Rate] from the aws_iam_role's inline_policy blocks and
// managed_policy_arns, and the aws_iam_role_policy (policy JSON, or a
// reference to a data.aws_iam_policy_document or aws_iam_policy),
// aws_iam_role_policy_attachment and aws_iam_policy_attachment resources
// that name it (AWS managed policies by name, customer policies of the plan
// by their document). A policy resource that does not say which role it is
// for, or a function whose role is only known after apply through a
// reference that cannot be followed (a local value: locals are not in the
// plan), is taken to use the only aws_iam_role of its module, with a
// warning. What is
// only known after apply, a role or policy defined outside the plan, makes
// the role's unknown part; see [iam.Policy]. For GCP only the simplest rule
// is applied: the function's service account is admin with roles/owner and
// broad with roles/editor from google_project (folder, organization)
// iam_member or iam_binding; anything else is unknown, and so is the default
// service account, whose roles are not in the plan.
//
// # Failure modes
//
// Load returns an error naming the file, and the line where there is one,
// for a file that cannot be read, is larger than 64 MiB, is not JSON, nests
// deeper than 512 levels, has an unsupported format_version, is a binary
// plan, or whose planned_values, resource_changes or prior_state have the
// wrong shape. Everything else that cannot be read (a value of the wrong
// type, an unknown value, a reference that resolves to nothing, an
// unreadable policy document) is a warning naming the plan file, the line
// and the resource address, and the loader goes on.
package terraform
