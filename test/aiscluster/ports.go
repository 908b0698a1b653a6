package aiscluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// pickPorts returns n distinct TCP port numbers that are free on both
// loopback addresses a node binds (see package doc). The listeners are held
// until all are chosen so the numbers differ; the nodes bind them a moment
// later, and Start retries with fresh numbers if one was taken meanwhile.
func pickPorts(n int) ([]int, error) {
	var (
		ports []int
		held  []net.Listener
	)
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries > 50 {
			return nil, errors.New("aiscluster: no free port found on both 127.0.0.1 and 127.0.0.2")
		}
		pub, err := net.Listen("tcp", net.JoinHostPort(publicHost, "0"))
		if err != nil {
			return nil, fmt.Errorf("aiscluster: listen on %s: %w", publicHost, err)
		}
		held = append(held, pub)
		port := pub.Addr().(*net.TCPAddr).Port
		intra, err := net.Listen("tcp", net.JoinHostPort(intraHost, strconv.Itoa(port)))
		if err != nil {
			if !errors.Is(err, syscall.EADDRINUSE) {
				// Not a busy port: the address itself is unusable.
				return nil, fmt.Errorf("aiscluster: listen on %s: %w", intraHost, err)
			}
			continue
		}
		held = append(held, intra)
		ports = append(ports, port)
	}
	return ports, nil
}

// portsFree reports whether a node could bind port on both addresses.
func portsFree(port int) bool {
	for _, host := range []string{publicHost, intraHost} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}
