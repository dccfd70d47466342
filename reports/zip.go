package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sort"
	"sync"
)

// sortedZip writes a workbook's parts in name order, straight to the
// destination. excelize writes its streamed sheets in map order, which
// changes from run to run, and would otherwise assemble the whole archive in
// memory first (the buffer it hands the zip writer is ignored). Each part is
// compressed as it comes, kept in memory while small and spilled to a
// temporary file when large, and the archive is assembled in order at Close:
// the same invoice always gives the same bytes (SPEC §6) and memory stays flat.
type sortedZip struct {
	out     *zip.Writer
	entries []*zipEntry
	cur     *zipEntry
}

// spillAt is the compressed size from which a part moves to a temporary file.
const spillAt = 1 << 20

// flaters reuses compressors: one costs about a megabyte to set up. Best
// speed: compression is most of the cost of a small workbook, and files stay
// about 15% larger than at the default level.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

type zipEntry struct {
	name  string
	fw    *flate.Writer
	crc   hash.Hash32
	size  uint64
	mem   bytes.Buffer
	file  *os.File // set once the compressed part outgrows spillAt
	bytes int64    // compressed size
}

func newSortedZip(w io.Writer) *sortedZip { return &sortedZip{out: zip.NewWriter(w)} }

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, crc: crc32.NewIEEE()}
	e.fw = flaters.Get().(*flate.Writer)
	e.fw.Reset(compressedSink{e})
	z.cur = e
	z.entries = append(z.entries, e)
	return e, nil
}

func (e *zipEntry) Write(p []byte) (int, error) {
	e.crc.Write(p)
	e.size += uint64(len(p))
	return e.fw.Write(p)
}

// compressedSink receives a part's compressed bytes.
type compressedSink struct{ e *zipEntry }

func (s compressedSink) Write(p []byte) (int, error) {
	e := s.e
	e.bytes += int64(len(p))
	if e.file == nil && e.mem.Len()+len(p) <= spillAt {
		return e.mem.Write(p)
	}
	if e.file == nil {
		f, err := os.CreateTemp("", "billing-xlsx-part-*")
		if err != nil {
			return 0, err
		}
		e.file = f
		if _, err := e.mem.WriteTo(f); err != nil {
			return 0, err
		}
	}
	return e.file.Write(p)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	err := z.cur.fw.Close()
	flaters.Put(z.cur.fw)
	z.cur.fw = nil
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
			if e.file != nil {
				e.file.Close()
				os.Remove(e.file.Name())
			}
		}
	}()
	sort.SliceStable(z.entries, func(i, j int) bool { return z.entries[i].name < z.entries[j].name })
	for _, e := range z.entries {
		if err != nil {
			break
		}
		var w io.Writer
		w, err = z.out.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc.Sum32(),
			CompressedSize64: uint64(e.bytes), UncompressedSize64: e.size})
		if err != nil {
			break
		}
		if e.file == nil {
			_, err = e.mem.WriteTo(w)
			continue
		}
		if _, err = e.file.Seek(0, io.SeekStart); err == nil {
			_, err = io.Copy(w, e.file)
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
