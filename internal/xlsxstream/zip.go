package xlsxstream

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// flaters reuses compressors: one costs about a megabyte to set up. Best
// speed: compression is a large part of writing a workbook, and files stay
// about 15% larger than at the default level.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return &pooledFlater{Writer: w}
}}

// pooledFlater goes back to the pool when the zip entry it compresses ends.
type pooledFlater struct{ *flate.Writer }

func (p *pooledFlater) Close() error {
	err := p.Writer.Close()
	p.Writer.Reset(io.Discard)
	flaters.Put(p)
	return err
}

// Workbook writes one workbook from its template, straight to the
// destination: the shared parts as compressed once, then each sheet as its
// rows come, so memory does not grow with the number of rows. Parts are
// written in a fixed order, so the same content always gives the same bytes.
type Workbook struct {
	zw     *zip.Writer
	tpl    *Template
	stamp  time.Time // every part's modification time
	footer string    // the sheets' footer text, for PlaceholderFooter
}

// NewWorkbook starts a workbook of the template on w and writes its static
// parts. stamp is the time every part of the archive carries (a fixed time
// keeps the bytes the same from one writing to the next); footer replaces
// PlaceholderFooter in the sheets' footers (already in the footer's
// syntax: &P is the page number, && an ampersand).
func NewWorkbook(w io.Writer, tpl *Template, stamp time.Time, footer string) (*Workbook, error) {
	b := &Workbook{zw: zip.NewWriter(w), tpl: tpl, stamp: stamp.UTC(), footer: string(appendEscaped(nil, footer))}
	for _, p := range tpl.static {
		e, err := b.entry(p.name, p.data)
		if err != nil {
			return nil, err
		}
		if err := e.finish(nil); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Sheet starts the i-th sheet of the template and returns its row writer;
// EndSheet finishes it. cols and rows are how many columns and rows the
// sheet will hold: its declared dimension, which readers that stream a
// sheet (openpyxl's read-only mode) trust to know where the data ends.
func (b *Workbook) Sheet(i, cols, rows int) (*Sheet, error) {
	t := b.tpl.sheets[i]
	e, err := b.entry(t.part, t.head)
	if err != nil {
		return nil, err
	}
	s := newSheet(e)
	s.buf = append(s.buf, "A1"...)
	if cols > 1 || rows > 1 {
		s.buf = append(s.buf, ':')
		s.buf = append(s.buf, ColumnName(max(cols, 1)-1)...)
		s.buf = strconv.AppendInt(s.buf, int64(max(rows, 1)), 10)
	}
	s.buf = append(s.buf, t.front...)
	return s, nil
}

// EndSheet writes the rest of the i-th sheet after its rows.
func (b *Workbook) EndSheet(i int, s *Sheet) error {
	if s.err != nil {
		return s.err
	}
	tail := b.tpl.sheets[i].tail
	if bytes.Contains(tail, []byte(PlaceholderFooter)) {
		tail = bytes.ReplaceAll(tail, []byte(PlaceholderFooter), []byte(b.footer))
	}
	s.buf = append(s.buf, tail...)
	err := s.w.(*entry).finish(s.buf)
	s.release()
	return err
}

// Table fills in the range of the k-th table: the header and rows rows
// below it (at least one, as Excel wants a table to have a body).
func (b *Workbook) Table(k, cols, rows int) error {
	t := b.tpl.tables[k]
	return b.part(t.part, strings.ReplaceAll(t.text, TableRef(cols, PlaceholderRows), TableRef(cols, 1+max(rows, 1))))
}

// Close writes the document properties (the title, and stamp as the time
// the workbook was created and modified) and ends the archive.
func (b *Workbook) Close(title string, stamp time.Time) error {
	core := strings.ReplaceAll(strings.ReplaceAll(b.tpl.core, PlaceholderTitle, string(appendEscaped(nil, title))),
		PlaceholderStamp, stamp.UTC().Format(time.RFC3339))
	if err := b.part("docProps/core.xml", core); err != nil {
		return err
	}
	return b.zw.Close()
}

// part writes a small part whole.
func (b *Workbook) part(name, text string) error {
	e, err := b.entry(name, compressedHead{})
	if err != nil {
		return err
	}
	return e.finish([]byte(text))
}

// compressedHead is the start of a part, compressed once and ended with a
// sync flush: deflate blocks that any further blocks may follow.
type compressedHead struct {
	data []byte
	crc  uint32
	size uint64
}

func compressHead(text []byte) (compressedHead, error) {
	var buf bytes.Buffer
	fw := flaters.Get().(*pooledFlater)
	defer flaters.Put(fw)
	fw.Reset(&buf)
	if _, err := fw.Write(text); err != nil {
		return compressedHead{}, err
	}
	if err := fw.Flush(); err != nil {
		return compressedHead{}, err
	}
	fw.Reset(io.Discard)
	return compressedHead{data: buf.Bytes(), crc: crc32.ChecksumIEEE(text), size: uint64(len(text))}, nil
}

// entry is one part being written as raw deflate data: its compressed head,
// then its body, either compressed as it streams (a body past the writer's
// first buffer) or, when small, in stored blocks. Compressing a few
// kilobytes costs more in setting up Huffman tables than it saves; a sheet's
// rows are compressed, its fronts and tables are not.
type entry struct {
	fh   *zip.FileHeader
	out  countingWriter
	crc  uint32
	size uint64
	fw   *pooledFlater // set once the body streams
}

type countingWriter struct {
	w io.Writer
	n uint64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

// entry starts a part as raw deflate data. CreateRaw writes the local header
// as given; with flag bit 3 (0x8, "data descriptor") its CRC and sizes are
// zero there, and zip.Writer writes them after the data, and again in the
// central directory, from this same *FileHeader when the next part starts or
// the archive closes. That is why finish fills in fh's CRC and sizes once the
// data is written: it is the contract of CreateRaw with a data descriptor,
// not a rewrite of bytes already written.
func (b *Workbook) entry(name string, head compressedHead) (*entry, error) {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Flags: 0x8} // sizes follow the data
	fh.SetModTime(b.stamp)                                             //nolint:staticcheck // the MS-DOS time alone: no extra field, readers show it as is
	w, err := b.zw.CreateRaw(fh)
	if err != nil {
		return nil, err
	}
	e := &entry{fh: fh, out: countingWriter{w: w}, crc: head.crc, size: head.size}
	if _, err := e.out.Write(head.data); err != nil {
		return nil, err
	}
	return e, nil
}

// Write streams body bytes through the compressor.
func (e *entry) Write(p []byte) (int, error) {
	if e.fw == nil {
		e.fw = flaters.Get().(*pooledFlater)
		e.fw.Reset(&e.out)
	}
	e.crc = crc32.Update(e.crc, crc32.IEEETable, p)
	e.size += uint64(len(p))
	return e.fw.Write(p)
}

// finish writes the rest of the body and ends the deflate stream and the
// part, and gives fh the CRC and sizes the zip writer puts in the data
// descriptor and the central directory (see entry). Past 4 GiB the 32-bit
// fields saturate and the 64-bit ones hold the sizes (ZIP64).
func (e *entry) finish(rest []byte) error {
	if e.fw != nil {
		if _, err := e.Write(rest); err != nil {
			return err
		}
		if err := e.fw.Close(); err != nil {
			return err
		}
	} else {
		e.crc = crc32.Update(e.crc, crc32.IEEETable, rest)
		e.size += uint64(len(rest))
		if err := writeStored(&e.out, rest); err != nil {
			return err
		}
	}
	fh := e.fh
	fh.CRC32, fh.CompressedSize64, fh.UncompressedSize64 = e.crc, e.out.n, e.size
	fh.CompressedSize, fh.UncompressedSize = uint32(min(e.out.n, math.MaxUint32)), uint32(min(e.size, math.MaxUint32))
	if e.out.n >= math.MaxUint32 || e.size >= math.MaxUint32 {
		fh.ReaderVersion = 45 // ZIP64
	}
	return nil
}

// writeStored writes data as deflate stored blocks, the last one final.
func writeStored(w io.Writer, data []byte) error {
	for {
		n := min(len(data), 0xFFFF)
		final := byte(0)
		if n == len(data) {
			final = 1
		}
		hdr := [5]byte{final, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)}
		if _, err := w.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		if final == 1 {
			return nil
		}
		data = data[n:]
	}
}
