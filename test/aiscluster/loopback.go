package aiscluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
)

// intraAddrCmd adds the intra-cluster loopback address. Host scope on lo:
// unreachable from the network, gone at reboot.
func intraAddrCmd() []string {
	return []string{"ip", "addr", "add", intraHost + "/32", "dev", "lo", "scope", "host"}
}

// ensureIntraAddr makes sure intraHost is an address of an interface:
// aisnode only accepts a hostname that equals one (127.0.0.1/8 on lo
// routes 127.0.0.2 but does not list it). As root it adds the address;
// otherwise the error says how.
func ensureIntraAddr(ctx context.Context) error {
	if hasLocalAddr(intraHost) {
		return nil
	}
	argv := intraAddrCmd()
	how := "sudo " + strings.Join(argv, " ")
	if os.Geteuid() != 0 {
		return fmt.Errorf("aiscluster: aisnode's intra-cluster network needs loopback address %s on lo, "+
			"so that no port is bound outside loopback; add it once with: %s", intraHost, how)
	}
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if hasLocalAddr(intraHost) { // also when a concurrent caller added it first
		return nil
	}
	return fmt.Errorf("aiscluster: add loopback address %s (%s): %v: %s", intraHost, how, err, out)
}

func hasLocalAddr(ip string) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.String() == ip {
			return true
		}
	}
	return false
}
