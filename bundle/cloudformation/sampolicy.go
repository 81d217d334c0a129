package cloudformation

import (
	"strings"

	"github.com/fnaudit/fnaudit/bundle/iam"
)

// templateStatement is one statement of a SAM policy template: resources
// hold <Parameter> placeholders.
type templateStatement struct {
	actions   []string
	resources []string
}

const (
	region  = "${AWS::Region}"
	account = "${AWS::AccountId}"
)

func stmt(resources []string, actions ...string) templateStatement {
	return templateStatement{actions: actions, resources: resources}
}

func arns(patterns ...string) []string { return patterns }

var (
	s3Bucket   = arns("arn:aws:s3:::<BucketName>", "arn:aws:s3:::<BucketName>/*")
	ddbTable   = arns("arn:aws:dynamodb:"+region+":"+account+":table/<TableName>", "arn:aws:dynamodb:"+region+":"+account+":table/<TableName>/index/*")
	sqsQueue   = arns("arn:aws:sqs:" + region + ":" + account + ":<QueueName>")
	snsTopic   = arns("arn:aws:sns:" + region + ":" + account + ":<TopicName>")
	kinesisStr = arns("arn:aws:kinesis:" + region + ":" + account + ":stream/<StreamName>")
	anyRes     = arns("*")
)

// policyTemplates are the SAM policy templates fnaudit knows, with the
// statements SAM expands them to, <Parameter> standing for a parameter (serverless-application-model,
// samtranslator/policy_templates_data/policy_templates.json). Each names
// the resource it grants on; the few that SAM itself writes on "*" are
// rated as such.
var policyTemplates = map[string][]templateStatement{
	"S3ReadPolicy": {stmt(s3Bucket, "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
		"s3:GetLifecycleConfiguration")},
	"S3WritePolicy": {stmt(s3Bucket, "s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration")},
	"S3CrudPolicy": {stmt(s3Bucket, "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
		"s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject")},
	"S3FullAccessPolicy": {stmt(s3Bucket, "s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject",
		"s3:PutObjectAcl", "s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging",
		"s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging", "s3:ListBucket",
		"s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration")},
	"DynamoDBCrudPolicy": {stmt(ddbTable, "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan",
		"dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
		"dynamodb:ConditionCheckItem")},
	"DynamoDBReadPolicy": {stmt(ddbTable, "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem",
		"dynamodb:DescribeTable")},
	"DynamoDBWritePolicy": {stmt(ddbTable, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem")},
	"DynamoDBStreamReadPolicy": {stmt(arns("arn:aws:dynamodb:"+region+":"+account+":table/<TableName>/stream/<StreamName>"),
		"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
		stmt(arns("arn:aws:dynamodb:"+region+":"+account+":table/<TableName>/stream/*"), "dynamodb:ListStreams")},
	"SQSSendMessagePolicy": {stmt(sqsQueue, "sqs:SendMessage*")},
	"SQSPollerPolicy": {stmt(sqsQueue, "sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
		"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage")},
	"SNSPublishMessagePolicy": {stmt(snsTopic, "sns:Publish")},
	"SNSCrudPolicy": {stmt(arns("arn:aws:sns:"+region+":"+account+":<TopicName>*"), "sns:ListSubscriptionsByTopic",
		"sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish")},
	"LambdaInvokePolicy": {stmt(arns("arn:aws:lambda:"+region+":"+account+":function:<FunctionName>*"), "lambda:InvokeFunction")},
	"KinesisStreamReadPolicy": {stmt(anyRes, "kinesis:ListStreams", "kinesis:DescribeLimits"),
		stmt(kinesisStr, "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator")},
	"KinesisCrudPolicy": {stmt(kinesisStr, "kinesis:AddTagsToStream", "kinesis:CreateStream", "kinesis:DecreaseStreamRetentionPeriod",
		"kinesis:DeleteStream", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator",
		"kinesis:IncreaseStreamRetentionPeriod", "kinesis:ListTagsForStream", "kinesis:MergeShards", "kinesis:PutRecord",
		"kinesis:PutRecords", "kinesis:SplitShard", "kinesis:RemoveTagsFromStream")},
	"KMSDecryptPolicy":                      {stmt(arns("arn:aws:kms:"+region+":"+account+":key/<KeyId>"), "kms:Decrypt")},
	"KMSEncryptPolicy":                      {stmt(arns("arn:aws:kms:"+region+":"+account+":key/<KeyId>"), "kms:Encrypt")},
	"AWSSecretsManagerGetSecretValuePolicy": {stmt(arns("<SecretArn>"), "secretsmanager:GetSecretValue")},
	"AWSSecretsManagerRotationPolicy": {stmt(anyRes, "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
		"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"), stmt(anyRes, "secretsmanager:GetRandomPassword")},
	"SSMParameterReadPolicy": {stmt(anyRes, "ssm:DescribeParameters"),
		stmt(arns("arn:aws:ssm:"+region+":"+account+":parameter/<ParameterName>"), "ssm:GetParameters", "ssm:GetParameter",
			"ssm:GetParametersByPath")},
	"SSMParameterWithSlashPrefixReadPolicy": {stmt(anyRes, "ssm:DescribeParameters"),
		stmt(arns("arn:aws:ssm:"+region+":"+account+":parameter<ParameterName>"), "ssm:GetParameters", "ssm:GetParameter",
			"ssm:GetParametersByPath")},
	"StepFunctionsExecutionPolicy": {stmt(arns("arn:aws:states:"+region+":"+account+":stateMachine:<StateMachineName>"),
		"states:StartExecution")},
	"EventBridgePutEventsPolicy":           {stmt(arns("arn:aws:events:"+region+":"+account+":event-bus/<EventBusName>"), "events:PutEvents")},
	"CloudWatchPutMetricPolicy":            {stmt(anyRes, "cloudwatch:PutMetricData")},
	"CloudWatchDescribeAlarmHistoryPolicy": {stmt(anyRes, "cloudwatch:DescribeAlarmHistory")},
	"EC2DescribePolicy":                    {stmt(anyRes, "ec2:DescribeRegions", "ec2:DescribeInstances")},
	"AMIDescribePolicy":                    {stmt(anyRes, "ec2:DescribeImages")},
	"CostExplorerReadOnlyPolicy": {stmt(anyRes, "ce:GetCostAndUsage", "ce:GetDimensionValues", "ce:GetReservationCoverage",
		"ce:GetReservationPurchaseRecommendation", "ce:GetReservationUtilization", "ce:GetTags")},
	"VPCAccessPolicy": {stmt(anyRes, "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
		"ec2:DetachNetworkInterface")},
	"SESCrudPolicy": {stmt(arns("arn:aws:ses:"+region+":"+account+":identity/<IdentityName>"), "ses:GetIdentityVerificationAttributes",
		"ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity")},
	"ElasticsearchHttpPostPolicy": {stmt(arns("arn:aws:es:"+region+":"+account+":domain/<DomainName>/*"), "es:ESHttpPost", "es:ESHttpPut")},
	"FilterLogEventsPolicy": {stmt(arns("arn:aws:logs:"+region+":"+account+":log-group:<LogGroupName>:log-stream:*"),
		"logs:FilterLogEvents")},
	"EcsRunTaskPolicy": {stmt(arns("arn:aws:ecs:"+region+":"+account+":task-definition/<TaskDefinition>"), "ecs:RunTask")},
	"TextractPolicy":   {stmt(anyRes, "textract:*")},
	"RekognitionDetectOnlyPolicy": {stmt(anyRes, "rekognition:DetectFaces", "rekognition:DetectLabels",
		"rekognition:DetectModerationLabels", "rekognition:DetectText")},
}

// policyTemplate expands a SAM policy template into statements. A
// template fnaudit does not know is taken as scoped (every SAM policy
// template grants on the resource its parameters name), and says so.
func (b *builder) policyTemplate(parts *roleParts, name string, params *node, line int) {
	tmpl, ok := policyTemplates[name]
	if !ok {
		parts.notes = append(parts.notes, "SAM policy template "+name+" (not known to fnaudit: taken as scoped to the resource it names)")
		return
	}
	values := b.s.ev.eval(params)
	for _, ts := range tmpl {
		s := iam.Statement{Effect: "Allow", Actions: ts.actions}
		for _, pattern := range ts.resources {
			s.Resources = append(s.Resources, b.fillTemplate(pattern, values, name, line))
		}
		parts.policy.Statements = append(parts.policy.Statements, s)
	}
}

// fillTemplate replaces <Param> placeholders with the template's
// parameters; an unresolved parameter keeps its rendering, never "*".
func (b *builder) fillTemplate(pattern string, values *node, tmpl string, line int) string {
	var out strings.Builder
	for {
		i := strings.IndexByte(pattern, '<')
		j := strings.IndexByte(pattern, '>')
		if i < 0 || j < i {
			out.WriteString(pattern)
			return out.String()
		}
		out.WriteString(pattern[:i])
		param := pattern[i+1 : j]
		pattern = pattern[j+1:]
		v := values.get(param)
		switch {
		case v == nil:
			b.s.warnf(line, "policy template %s has no parameter %s", tmpl, param)
			out.WriteString("(missing " + param + ")")
		case v.kind == kindString:
			out.WriteString(v.str)
		default:
			out.WriteString("(unresolved " + display(v) + ")")
		}
	}
}
