package reports

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sort"
)

// sortedZip writes a workbook's parts in name order, straight to the
// destination: excelize would otherwise assemble the whole archive in memory
// before writing it, and hands the zip writer that buffer, which is ignored. excelize writes its
// streamed sheets in map order, which changes from run to run; each part
// is compressed to a temporary file as it comes and the archive is
// assembled in order at Close, so the same invoice always gives the same
// bytes (SPEC §6) while memory stays flat.
type sortedZip struct {
	out     *zip.Writer
	entries []*zipEntry
	cur     *zipEntry
	err     error
}

type zipEntry struct {
	name string
	file *os.File
	fw   *flate.Writer
	crc  hash.Hash32
	size uint64
}

func newSortedZip(w io.Writer) *sortedZip { return &sortedZip{out: zip.NewWriter(w)} }

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "billing-xlsx-part-*")
	if err != nil {
		return nil, err
	}
	fw, err := flate.NewWriter(f, flate.DefaultCompression)
	if err != nil {
		f.Close()
		return nil, err
	}
	z.cur = &zipEntry{name: name, file: f, fw: fw, crc: crc32.NewIEEE()}
	z.entries = append(z.entries, z.cur)
	return z.cur, nil
}

func (e *zipEntry) Write(p []byte) (int, error) {
	e.crc.Write(p)
	e.size += uint64(len(p))
	return e.fw.Write(p)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	err := z.cur.fw.Close()
	z.cur = nil
	return err
}

// AddFS is not used by the workbooks written here.
func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("reports: adding a file system to a workbook is not supported")
}

func (z *sortedZip) Close() error {
	err := z.finish()
	defer func() {
		for _, e := range z.entries {
			e.file.Close()
			os.Remove(e.file.Name())
		}
	}()
	sort.SliceStable(z.entries, func(i, j int) bool { return z.entries[i].name < z.entries[j].name })
	for _, e := range z.entries {
		if err != nil {
			break
		}
		var compressed int64
		if compressed, err = e.file.Seek(0, io.SeekCurrent); err != nil {
			break
		}
		if _, err = e.file.Seek(0, io.SeekStart); err != nil {
			break
		}
		var w io.Writer
		w, err = z.out.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc.Sum32(),
			CompressedSize64: uint64(compressed), UncompressedSize64: e.size})
		if err == nil {
			_, err = io.CopyN(w, e.file, compressed)
		}
	}
	if closeErr := z.out.Close(); err == nil {
		err = closeErr
	}
	return err
}

// nothingMore is what excelize's Write copies its (unused) buffer to: the
// archive went straight to the destination through sortedZip, so any byte
// here would be a change in excelize to catch, not to append to the file.
type nothingMore struct{}

func (nothingMore) Write(p []byte) (int, error) {
	if len(p) > 0 {
		return 0, errors.New("reports: excelize wrote around the workbook's zip writer")
	}
	return 0, nil
}
