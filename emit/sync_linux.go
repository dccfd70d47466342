package emit

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes every file written under dir durable with one syncfs(2) of
// its file system, rather than one fsync per file.
func syncFiles(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
