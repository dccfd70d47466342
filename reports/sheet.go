package reports

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
)

// sheetWriter writes the rows of one worksheet's <sheetData> as SpreadsheetML
// text, into a buffer handed to the part's compressor in large pieces. Cells
// are written as excelize's StreamWriter writes them (inline strings, numbers
// as their digits, a style index per cell), without its per-cell reflection
// and allocations: most of an invoice file is these rows.
type sheetWriter struct {
	w   io.Writer
	buf []byte
	row int // the row being written, from 1
	col int // the next cell's column, from 0
	err error
}

// flushAt is the buffered size at which rows go to the compressor.
const flushAt = 64 << 10

// sheetBuffers reuses the writers' buffers: a workbook has several sheets
// and a run writes a great many workbooks.
var sheetBuffers = sync.Pool{New: func() any { b := make([]byte, 0, flushAt+4096); return &b }}

func newSheetWriter(w io.Writer) *sheetWriter {
	return &sheetWriter{w: w, buf: (*sheetBuffers.Get().(*[]byte))[:0]}
}

// release gives the writer's buffer back; the writer is done with.
func (s *sheetWriter) release() {
	b := s.buf[:0]
	s.buf = nil
	sheetBuffers.Put(&b)
}

// MaxColumns is the most columns a sheet holds (Excel's XFD).
const MaxColumns = 16384

// columnName is the letters of the column at index i (from 0): A … Z, AA …
// XFD. The names of the first 64 are made once, the rest when asked.
func columnName(i int) string {
	if i < len(columnNames) {
		return columnNames[i]
	}
	return letters(i)
}

var columnNames = func() []string {
	names := make([]string, 64)
	for i := range names {
		names[i] = letters(i)
	}
	return names
}()

func letters(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// startRow opens the next row.
func (s *sheetWriter) startRow() {
	s.row++
	s.col = 0
	s.buf = append(s.buf, `<row r="`...)
	s.buf = strconv.AppendInt(s.buf, int64(s.row), 10)
	s.buf = append(s.buf, `">`...)
}

// endRow closes the row and hands a full buffer on.
func (s *sheetWriter) endRow() {
	s.buf = append(s.buf, `</row>`...)
	if len(s.buf) >= flushAt {
		s.flush()
	}
}

func (s *sheetWriter) flush() {
	if s.err == nil {
		_, s.err = s.w.Write(s.buf)
	}
	s.buf = s.buf[:0]
}

// skip leaves the next cell empty.
func (s *sheetWriter) skip() { s.col++ }

// open starts a cell with its reference and style.
func (s *sheetWriter) open(style int) {
	s.buf = append(s.buf, `<c r="`...)
	s.buf = append(s.buf, columnName(s.col)...)
	s.buf = strconv.AppendInt(s.buf, int64(s.row), 10)
	s.buf = append(s.buf, '"')
	if style != 0 {
		s.buf = append(s.buf, ` s="`...)
		s.buf = strconv.AppendInt(s.buf, int64(style), 10)
		s.buf = append(s.buf, '"')
	}
	s.col++
}

// text writes a text cell as an inline string: text from the data is never
// read as a formula (SPEC §8). An empty text leaves the cell empty.
func (s *sheetWriter) text(style int, v string) error {
	if v == "" {
		if style != 0 {
			s.open(style)
			s.buf = append(s.buf, `/>`...)
		} else {
			s.col++
		}
		return nil
	}
	if n := utf8.RuneCountInString(v); n > MaxCellText {
		return fmt.Errorf("text of %d characters is longer than a spreadsheet cell holds (%d)", n, MaxCellText)
	}
	s.open(style)
	s.buf = append(s.buf, ` t="inlineStr"><is><t`...)
	if needsPreserve(v) {
		s.buf = append(s.buf, ` xml:space="preserve"`...)
	}
	s.buf = append(s.buf, '>')
	s.buf = appendEscaped(s.buf, v)
	s.buf = append(s.buf, `</t></is></c>`...)
	return nil
}

// texts writes unstyled text cells, one after the other.
func (s *sheetWriter) texts(vs ...string) error {
	for _, v := range vs {
		if err := s.text(0, v); err != nil {
			return err
		}
	}
	return nil
}

// styled is an amount with the style it shows in.
type styled struct {
	v     decimal.Decimal
	style int
}

// numbers writes number cells, one after the other.
func (s *sheetWriter) numbers(ns ...styled) error {
	for _, n := range ns {
		if err := s.number(n.style, n.v); err != nil {
			return err
		}
	}
	return nil
}

// number writes an exact decimal as a number cell (SPEC §5).
func (s *sheetWriter) number(style int, d decimal.Decimal) error {
	digits, err := numberText(d)
	if err != nil {
		return err
	}
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = append(s.buf, digits...)
	s.buf = append(s.buf, `</v></c>`...)
	return nil
}

// integer writes a count; zero leaves the cell empty when blankZero is set.
func (s *sheetWriter) integer(style int, n int, blankZero bool) {
	if n == 0 && blankZero {
		s.col++
		return
	}
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendInt(s.buf, int64(n), 10)
	s.buf = append(s.buf, `</v></c>`...)
}

// date writes a calendar date as Excel's serial day number with a date style.
func (s *sheetWriter) date(style int, d calendar.Date) {
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendInt(s.buf, int64(d)+excelEpochOffset, 10)
	s.buf = append(s.buf, `</v></c>`...)
}

// excelEpochOffset is the serial number of 1970-01-01, day 0 of
// calendar.Date, in Excel's 1900 date system (day 0 is 1899-12-30).
const excelEpochOffset = 25569

// needsPreserve reports whether a text has white space at either end that
// XML would otherwise let a reader drop.
func needsPreserve(v string) bool {
	first, last := v[0], v[len(v)-1]
	return first == ' ' || first == '\t' || first == '\n' || first == '\r' ||
		last == ' ' || last == '\t' || last == '\n' || last == '\r'
}

// appendEscaped appends v as XML character data. Characters XML 1.0 cannot
// carry (control characters, U+FFFE, U+FFFF, invalid UTF-8) become U+FFFD,
// as encoding/xml does. The importer refuses them in names, so only text
// written into the database by other means can hold them.
func appendEscaped(b []byte, v string) []byte {
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(v[i:])
		}
		var repl string
		switch {
		case r == '&':
			repl = "&amp;"
		case r == '<':
			repl = "&lt;"
		case r == '>':
			repl = "&gt;"
		case r == '\t' || r == '\n':
			i += size
			continue
		case r == '\r':
			repl = "&#xD;"
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r == utf8.RuneError && size == 1):
			repl = "\uFFFD"
		default:
			i += size
			continue
		}
		b = append(b, v[start:i]...)
		b = append(b, repl...)
		i += size
		start = i
	}
	return append(b, v[start:]...)
}

// cellFn writes one cell of a small sheet's row (the fronts, Summary and
// Control); line rows call the writer's methods directly.
type cellFn func(s *sheetWriter) error

func txt(style int, v string) cellFn { return func(s *sheetWriter) error { return s.text(style, v) } }

func num(style int, d decimal.Decimal) cellFn {
	return func(s *sheetWriter) error { return s.number(style, d) }
}

func day(style int, d calendar.Date) cellFn {
	return func(s *sheetWriter) error { s.date(style, d); return nil }
}

func count(n int) cellFn { return func(s *sheetWriter) error { s.integer(0, n, false); return nil } }

// blank leaves a cell empty.
func blank(s *sheetWriter) error { s.skip(); return nil }

// headerCells is a row of column headers.
func headerCells(st styles, names ...string) []cellFn {
	row := make([]cellFn, len(names))
	for i, n := range names {
		row[i] = txt(st.header, n)
	}
	return row
}

// header writes a sheet's header row.
func (s *sheetWriter) header(st styles, names []string) error {
	return s.rows([][]cellFn{headerCells(st, names...)})
}

// rows writes whole rows; an empty row is written as an empty row.
func (s *sheetWriter) rows(rows [][]cellFn) error {
	for _, r := range rows {
		s.startRow()
		for _, c := range r {
			if err := c(s); err != nil {
				return err
			}
		}
		s.endRow()
	}
	return s.err
}
