package topology

import "github.com/finobs/finobs/pkg/stack"

// localWebhook is the native stack's recording webhook: its API (/notifications,
// /heartbeat, /healthz, /runbooks/) on 9095, each receiver on a port of its own
// (stack.PortReceiver).
func localWebhook(host string) stack.Instance {
	return stack.Instance{Component: stack.Webhook, Name: "webhook", Host: host, Ports: []stack.Port{
		port(stack.PortHTTP, 9095),
		port(stack.PortReceiver+"paging", 9096), port(stack.PortReceiver+"chat", 9097),
		port(stack.PortReceiver+"default", 9098), port(stack.PortReceiver+"heartbeat", 9099),
	}}
}
