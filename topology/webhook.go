package topology

import "strings"

// PortReceiver prefixes the names of the local webhook's receiver ports: one per
// Alertmanager receiver, as production's receivers are different services (PagerDuty,
// Slack, a dead man's switch), so that one can be cut off while the others, and the
// webhook's own API on PortHTTP, stay reachable.
const PortReceiver = "receiver-"

// localWebhook is the native stack's recording webhook: its API (/notifications,
// /heartbeat, /healthz, /runbooks/) on 9095, each receiver on a port of its own.
func localWebhook(host string) Instance {
	return Instance{Component: Webhook, Name: "webhook", Host: host, Ports: []Port{
		{PortHTTP, 9095},
		{PortReceiver + "paging", 9096}, {PortReceiver + "chat", 9097},
		{PortReceiver + "default", 9098}, {PortReceiver + "heartbeat", 9099},
	}}
}

// Receivers maps the receiver names of an instance's receiver ports to their addresses.
func (i Instance) Receivers() map[string]string {
	out := map[string]string{}
	for _, p := range i.Ports {
		if name, ok := strings.CutPrefix(p.Name, PortReceiver); ok {
			out[name] = i.Addr(p.Name)
		}
	}
	return out
}
