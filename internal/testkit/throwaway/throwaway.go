// Package throwaway starts a PostgreSQL of its own in a temporary folder,
// for the harnesses that measure billing (make bench, make load-portal):
// the project's settings (scripts/postgres.sh), default durability, removed
// with its folder when stopped.
package throwaway

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Cluster is a running throwaway PostgreSQL and the temporary folder it
// lives in, which the harness may use for its own files too.
type Cluster struct {
	Dir string // the temporary folder
	URL string // the database's URL
}

// Start makes a temporary folder named after prefix and starts a
// PostgreSQL in it. Run it from the repository's root.
func Start(prefix string) (*Cluster, error) {
	work, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(work, 0o755); err != nil { // the server may run as another user
		os.RemoveAll(work)
		return nil, err
	}
	var stderr strings.Builder
	start := exec.Command(script, "start", filepath.Join(work, "pg"))
	start.Stderr = &stderr
	out, err := start.Output()
	if err != nil {
		os.RemoveAll(work)
		return nil, fmt.Errorf("starting PostgreSQL: %w: %s", err, stderr.String())
	}
	return &Cluster{Dir: work, URL: strings.TrimSpace(string(out))}, nil
}

var script = filepath.Join("scripts", "postgres.sh")

// Billing returns a runner of the billing binary on this cluster's
// database, writing files into outDir, with any further flags: it returns
// standard output, or an error with standard error.
func (c *Cluster) Billing(binary, outDir string, flags ...string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		cmd := exec.Command(binary, append(append(args, "--database-url", c.URL, "--output-dir", outDir, "--log-level", "warn"), flags...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("billing %s: %w: %s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out), nil
	}
}

// Stop stops the server and removes the folder, as well as it can.
func (c *Cluster) Stop() {
	_ = exec.Command(script, "stop", filepath.Join(c.Dir, "pg")).Run()
	_ = os.RemoveAll(c.Dir)
}
