// Package xlsxstream writes .xlsx workbooks as a stream: the parts that do
// not change from one workbook to the next are built once (a Template, from a
// workbook excelize laid out) and copied compressed; each workbook then only
// writes its rows, its tables' ranges and its document properties, straight
// to the destination, so memory does not grow with the number of rows. The
// same input always gives the same bytes.
package xlsxstream

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// Limits of a sheet.
const (
	MaxCellText  = 32767     // characters in a cell
	MaxSheetRows = 1_048_576 // rows in a sheet
)

// ErrNumberTooLong is returned for an amount a spreadsheet number cannot
// hold exactly: more than 15 significant digits.
var ErrNumberTooLong = errors.New("has more significant digits than a spreadsheet number holds exactly (15)")

// numberText is the text of an exact decimal in a number cell: its own
// digits. A decimal of at most 15 significant digits round-trips through a
// double exactly (IEEE 754's 15-digit guarantee), so the number a reader
// shows has exactly these digits; a longer one is refused, never rounded.
func numberText(d decimal.Decimal) (string, error) {
	want := d.String()
	if money.SignificantDigits(want) > money.MaxSignificantDigits {
		return "", fmt.Errorf("amount %s %w", want, ErrNumberTooLong)
	}
	return want, nil
}

// Sheet writes the rows of one worksheet's <sheetData> as SpreadsheetML
// text, into a buffer handed to the part's compressor in large pieces. Cells
// are written as excelize's StreamWriter writes them (inline strings, numbers
// as their digits, a style index per cell), without its per-cell reflection
// and allocations: most of an invoice file is these rows.
type Sheet struct {
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

func newSheet(w io.Writer) *Sheet {
	return &Sheet{w: w, buf: (*sheetBuffers.Get().(*[]byte))[:0]}
}

// release gives the writer's buffer back; the writer is done with.
func (s *Sheet) release() {
	b := s.buf[:0]
	s.buf = nil
	sheetBuffers.Put(&b)
}

// MaxColumns is the most columns a sheet holds (Excel's XFD).
const MaxColumns = 16384

// ColumnName is the letters of the column at index i (from 0): A … Z, AA …
// XFD. The names of the first 64 are made once, the rest when asked.
func ColumnName(i int) string {
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

// StartRow opens the next row.
func (s *Sheet) StartRow() {
	s.row++
	s.col = 0
	s.buf = append(s.buf, `<row r="`...)
	s.buf = strconv.AppendInt(s.buf, int64(s.row), 10)
	s.buf = append(s.buf, `">`...)
}

// EndRow closes the row and hands a full buffer on.
func (s *Sheet) EndRow() {
	s.buf = append(s.buf, `</row>`...)
	if len(s.buf) >= flushAt {
		s.flush()
	}
}

func (s *Sheet) flush() {
	if s.err == nil {
		_, s.err = s.w.Write(s.buf)
	}
	s.buf = s.buf[:0]
}

// Skip leaves the next cell empty.
func (s *Sheet) Skip() { s.col++ }

// open starts a cell with its reference and style.
func (s *Sheet) open(style int) {
	s.buf = append(s.buf, `<c r="`...)
	s.buf = append(s.buf, ColumnName(s.col)...)
	s.buf = strconv.AppendInt(s.buf, int64(s.row), 10)
	s.buf = append(s.buf, '"')
	if style != 0 {
		s.buf = append(s.buf, ` s="`...)
		s.buf = strconv.AppendInt(s.buf, int64(style), 10)
		s.buf = append(s.buf, '"')
	}
	s.col++
}

// Text writes a text cell as an inline string: text from the data is never
// read as a formula (§8). An empty text leaves the cell empty.
func (s *Sheet) Text(style int, v string) error {
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

// Texts writes unstyled text cells, one after the other.
func (s *Sheet) Texts(vs ...string) error {
	for _, v := range vs {
		if err := s.Text(0, v); err != nil {
			return err
		}
	}
	return nil
}

// Styled is an amount with the style it shows in.
type Styled struct {
	V     decimal.Decimal
	Style int
}

// Numbers writes number cells, one after the other.
func (s *Sheet) Numbers(ns ...Styled) error {
	for _, n := range ns {
		if err := s.Number(n.Style, n.V); err != nil {
			return err
		}
	}
	return nil
}

// Number writes an exact decimal as a number cell (§5).
func (s *Sheet) Number(style int, d decimal.Decimal) error {
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

// Integer writes a count; zero leaves the cell empty when blankZero is set.
func (s *Sheet) Integer(style int, n int, blankZero bool) {
	if n == 0 && blankZero {
		s.col++
		return
	}
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendInt(s.buf, int64(n), 10)
	s.buf = append(s.buf, `</v></c>`...)
}

// Date writes a calendar date as Excel's serial day number with a date style.
func (s *Sheet) Date(style int, d calendar.Date) {
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

// Err is the first error of writing the sheet's rows, if any.
func (s *Sheet) Err() error { return s.err }
