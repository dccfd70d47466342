package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// AttemptTimeout is how long an endpoint has to answer (§14).
const AttemptTimeout = 10 * time.Second

// The most of an answer read, and kept for billing webhooks deliveries.
const (
	readLimit = 64 << 10
	keepLimit = 1 << 10
)

// ErrRefusedDestination is the error of a connection to an address §14
// refuses: loopback, private, link-local, multicast or unspecified.
var ErrRefusedDestination = errors.New("refused destination")

// refused says why an address may not be connected to, or "".
func refused(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "a link-local address"
	case addr.IsMulticast() || addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.Is4() && addr.As4()[0] == 100 && addr.As4()[1]&0xc0 == 64: // 100.64.0.0/10, shared address space
		return "a private address"
	}
	return ""
}

// checkAddress is the dialer's Control: it runs after name resolution, on
// the address about to be connected to, so a name that resolves (or comes
// to resolve) to a refused address is refused too.
func checkAddress(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an address", ErrRefusedDestination, address)
	}
	if why := refused(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrRefusedDestination, ap.Addr(), why)
	}
	return nil
}

// NewClient is the one HTTP client deliveries use: the attempt's timeout,
// no redirects followed, no proxy, and unless allowPrivate the address
// check at connection time.
func NewClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: AttemptTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = checkAddress
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   AttemptTimeout,
		ResponseHeaderTimeout: AttemptTimeout,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   AttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// errorText is an attempt's error as recorded: the client's, without the
// request's URL when it holds one (it may carry credentials).
func errorText(err error) string {
	var uerr interface{ Unwrap() error }
	if errors.As(err, &uerr) {
		if inner := uerr.Unwrap(); inner != nil {
			err = inner
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", AttemptTimeout)
	}
	return err.Error()
}
