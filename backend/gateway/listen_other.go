//go:build !unix

package gateway

import (
	"errors"
	"net"
)

// socketsSupported: on Windows the gateway serves loopback TCP only.
const socketsSupported = false

// DefaultRuntimeDir is not used where there are no sockets.
func DefaultRuntimeDir() (string, error) {
	return "", errors.New("gateway: no Unix sockets on this system")
}

func listenUnix(string) (net.Listener, error) {
	return nil, errors.New("gateway: no Unix sockets on this system")
}
