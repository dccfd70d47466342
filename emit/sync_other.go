//go:build !linux

package emit

import (
	"io/fs"
	"os"
	"path/filepath"
)

// syncFiles makes every file under dir durable, one fsync per file and
// folder, where the system has no syncfs(2).
func syncFiles(dir string) error {
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
