package terraform

import (
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// albTrigger reads an aws_lb_target_group_attachment of a function: the
// function is behind an Application Load Balancer, public when a listener
// of an internet-facing balancer forwards to its target group without an
// authenticate action.
func (p *plan) albTrigger(r *resource) {
	fns, ok := p.targets(r, "target_id")
	if !ok {
		p.unattributed(r, "target_id")
		return
	}
	if len(fns) == 0 {
		return
	}
	groups := p.pointed(r, []step{"target_group_arn"}, targetGroupTypes...)
	if len(groups) == 0 {
		p.warn(r, "its target group is not in the plan: exposure unknown")
		p.attach(fns, p.trigger(r, "alb", "target group attachment "+r.addr, authUnresolved, bundle.ExposureUnknown))
		return
	}
	tg := groups[0]
	t := p.trigger(r, "alb", "target group "+p.nameOr(tg, "name"), authUnresolved, bundle.ExposureUnknown)
	for _, l := range p.forwarders(tg) {
		auth, exp := p.listenerExposure(l.listener, l.authenticated)
		if exp.Rank() > t.Exposure.Rank() || t.Auth == authUnresolved {
			t.Auth, t.Exposure = auth, exp
		}
	}
	if t.Auth == authUnresolved {
		p.warn(r, "no listener of an aws_lb in the plan forwards to %s: exposure unknown", tg.addr)
	}
	p.attach(fns, t)
}

// forwarder is a listener that forwards to a target group, and whether the
// listener or rule authenticates first.
type forwarder struct {
	listener      *resource
	authenticated bool
}

// forwarders returns the listeners that forward to a target group, through
// their default actions or through listener rules. The index is built once.
func (p *plan) forwarders(tg *resource) []forwarder {
	if p.albIndex != nil {
		return p.albIndex[tg]
	}
	p.albIndex = map[*resource][]forwarder{}
	for _, typ := range []string{"aws_lb_listener", "aws_alb_listener"} {
		for _, l := range p.byType[typ] {
			groups, auth := p.forwardsTo(l, "default_action")
			for _, g := range groups {
				p.albIndex[g] = append(p.albIndex[g], forwarder{l, auth})
			}
		}
	}
	for _, typ := range []string{"aws_lb_listener_rule", "aws_alb_listener_rule"} {
		for _, rule := range p.byType[typ] {
			groups, auth := p.forwardsTo(rule, "action")
			if len(groups) == 0 {
				continue
			}
			for _, l := range p.pointed(rule, []step{"listener_arn"}, "aws_lb_listener", "aws_alb_listener") {
				for _, g := range groups {
					p.albIndex[g] = append(p.albIndex[g], forwarder{l, auth})
				}
			}
		}
	}
	return p.albIndex[tg]
}

// targetGroupTypes are the resource types of target groups.
var targetGroupTypes = []string{"aws_lb_target_group", "aws_alb_target_group"}

// forwardsTo returns the target groups the action blocks of a listener or
// rule forward to, and whether one of the actions authenticates.
func (p *plan) forwardsTo(r *resource, block string) (groups []*resource, authenticates bool) {
	for i := range p.blocks(r, block) {
		typ, _ := p.str(r, block, i, "type")
		if strings.HasPrefix(typ, "authenticate-") {
			authenticates = true
		}
		groups = append(groups, p.pointed(r, []step{block, i, "target_group_arn"}, targetGroupTypes...)...)
		for j := range p.nested(r, block, i, "forward", 0, "target_group") {
			groups = append(groups, p.pointed(r, []step{block, i, "forward", 0, "target_group", j, "arn"}, targetGroupTypes...)...)
		}
	}
	return groups, authenticates
}

// listenerExposure rates a listener by its load balancer's scheme.
func (p *plan) listenerExposure(l *resource, authenticated bool) (string, bundle.Exposure) {
	for _, lb := range p.pointed(l, []step{"load_balancer_arn"}, "aws_lb", "aws_alb") {
		internal, st := p.boolean(lb, "internal")
		switch {
		case st == known && internal:
			return authNone, bundle.ExposureInternal
		case st == unknown:
			continue
		case authenticated:
			return "custom", bundle.ExposureAuthenticated
		default:
			return authNone, bundle.ExposurePublic
		}
	}
	return authUnresolved, bundle.ExposureUnknown
}
