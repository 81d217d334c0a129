package serverless

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// internalDetail says which queue, topic, bucket, schedule... an event
// delivered by an AWS service comes from, in the manifest's words.
func (s *service) internalDetail(e event) string {
	t := s.t
	v := t.deref(e.v)
	field := func(keys ...string) string {
		if !t.isMap(v) {
			return t.describe(v)
		}
		for _, k := range keys {
			if n := t.get(v, k); n != nil {
				return t.describe(n)
			}
		}
		return ""
	}
	switch e.key {
	case "sqs":
		return "queue " + arnName(field("arn", "queueName"))
	case "sns":
		return "topic " + arnName(firstNonEmpty(field("topicName", "arn")))
	case "s3":
		return s.s3Detail(v, field("bucket"))
	case "schedule":
		return s.scheduleDetail(v)
	case "stream":
		return s.streamDetail(v, field("arn"))
	case "eventBridge":
		return s.eventBridgeDetail(v)
	case "cloudwatchEvent":
		return "CloudWatch event " + s.joined(t.get(v, "event", "source"))
	case "cloudwatchLog":
		return "log group " + field("logGroup")
	case "cognitoUserPool":
		return "user pool " + field("pool") + " trigger " + t.text(t.get(v, "trigger"))
	case "iot":
		return "IoT rule " + t.text(t.get(v, "sql"))
	case "iotFleetProvisioning":
		return "IoT fleet provisioning template " + t.text(t.get(v, "templateBody"))
	case "alexaSkill", "alexaSmartHome":
		return alexaDetail(e.key, field("appId"))
	case "kafka":
		return "Kafka topic " + field("topic")
	case "msk":
		return "MSK topic " + field("topic") + " of " + arnName(field("arn"))
	case "rabbitmq":
		return "RabbitMQ queue " + field("queue")
	case "activemq":
		return "ActiveMQ queue " + field("queue")
	}
	return e.key
}

// arnName shortens an ARN to its resource name (arn:aws:sqs:...:payments
// → payments); other values are returned as they are.
func arnName(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 {
		return s
	}
	res := parts[5]
	if i := strings.LastIndexAny(res, ":/"); i >= 0 && !strings.Contains(res, "stream/") {
		return res[i+1:]
	}
	return res
}

func (s *service) s3Detail(v *yaml.Node, bucket string) string {
	ev := "s3:ObjectCreated:*"
	if s.t.isMap(v) {
		if e := s.t.get(v, "event"); e != nil {
			ev = s.t.text(e)
		}
		if existing, _, _ := s.t.boolean(s.t.get(v, "existing")); existing {
			ev += " (existing bucket)"
		}
	}
	return "bucket " + bucket + " " + ev
}

func (s *service) scheduleDetail(v *yaml.Node) string {
	if !s.t.isMap(v) {
		return s.t.describe(v)
	}
	d := s.joined(s.t.get(v, "rate"))
	if enabled, known, _ := s.t.boolean(s.t.get(v, "enabled")); known && !enabled {
		d += " (disabled)"
	}
	return d
}

// streamDetail names a DynamoDB or Kinesis stream ("dynamodb stream
// OrdersTable").
func (s *service) streamDetail(v *yaml.Node, arn string) string {
	typ := ""
	if s.t.isMap(v) {
		typ = s.t.text(s.t.get(v, "type"))
	}
	raw := s.t.text(s.t.get(v, "arn"))
	if !s.t.isMap(v) {
		raw = s.t.text(v)
	}
	if typ == "" {
		switch {
		case strings.Contains(raw, ":dynamodb:"):
			typ = "dynamodb"
		case strings.Contains(raw, ":kinesis:"):
			typ = "kinesis"
		}
	}
	name := arn
	if strings.HasPrefix(name, "arn:") {
		name = streamName(name)
	}
	return strings.TrimSpace(typ + " stream " + name)
}

// streamName is the table of a DynamoDB stream ARN
// (...:table/Orders/stream/2024-...) or the name of a Kinesis one.
func streamName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	res := parts[5]
	if rest, ok := strings.CutPrefix(res, "table/"); ok {
		table, _, _ := strings.Cut(rest, "/")
		return table
	}
	return strings.TrimPrefix(res, "stream/")
}

func (s *service) eventBridgeDetail(v *yaml.Node) string {
	t := s.t
	if sched := t.get(v, "schedule"); sched != nil {
		return "schedule " + t.describe(sched)
	}
	bus := t.describe(t.get(v, "eventBus"))
	if bus == "" {
		bus = "default"
	}
	d := "event bus " + arnName(bus)
	if src := t.get(v, "pattern", "source"); src != nil {
		d += " source " + s.joined(src)
	}
	return d
}

func alexaDetail(key, appID string) string {
	what := "Alexa skill"
	if key == "alexaSmartHome" {
		what = "Alexa smart home skill"
	}
	if appID == "" {
		return what + " (any)"
	}
	return what + " " + appID
}
