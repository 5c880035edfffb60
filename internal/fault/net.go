package fault

import (
	"fmt"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// DropPort drops every TCP packet sent to port on this host (loopback included), in both new
// and established connections, through an nftables table of its own: what a network
// partition looks like to the peers of whatever listens there. The process keeps running and
// its other ports (metrics) stay reachable. The returned undo deletes the table.
func DropPort(port int) (undo func() error, err error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("fault: nftables: %w", err)
	}
	name := fmt.Sprintf("%s%d", dropPrefix, port)
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: name})
	policy := nftables.ChainPolicyAccept
	ch := c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityFilter, Policy: &policy})
	c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(uint16(port))},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}})
	if err := c.Flush(); err != nil {
		return nil, fmt.Errorf("fault: drop tcp port %d: %w", port, err)
	}
	return func() error {
		c.DelTable(t)
		if err := c.Flush(); err != nil {
			return fmt.Errorf("fault: undo drop of tcp port %d: %w", port, err)
		}
		return nil
	}, nil
}

const dropPrefix = "finobs_fault_drop_"

// ClearDrops deletes the tables of DropPort that a run killed before its undo left behind (a
// port dropped for ever looks like a broken service to the next run), and names them.
func ClearDrops() ([]string, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("fault: nftables: %w", err)
	}
	ts, err := c.ListTablesOfFamily(nftables.TableFamilyINet)
	if err != nil {
		return nil, fmt.Errorf("fault: list nftables tables: %w", err)
	}
	var gone []string
	for _, t := range ts {
		if strings.HasPrefix(t.Name, dropPrefix) {
			c.DelTable(t)
			gone = append(gone, t.Name)
		}
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if err := c.Flush(); err != nil {
		return nil, fmt.Errorf("fault: delete %v: %w", gone, err)
	}
	return gone, nil
}
