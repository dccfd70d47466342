package reports

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/signintech/gopdf"
	"golang.org/x/text/encoding/charmap"
)

// A PDF in the standard fonts. A document whose every character the PDF
// standard fonts Helvetica and Helvetica-Bold can show (WinAnsiEncoding:
// English and the Latin-1 languages' letters, the euro, the dashes and
// quotes) embeds no font: every reader has those fonts, or fonts with
// their metrics, so there is nothing to subset and compress per document,
// which is most of what an embedded-font PDF costs. stdPDF draws such a
// document with the operations the invoice uses of gopdf, and writes its
// objects straight; the first character outside WinAnsiEncoding stops it
// with errNotStandard, and the document is drawn again with embedded fonts.
type stdPDF struct {
	pages  []*bytes.Buffer // each page's content stream, uncompressed
	page   *bytes.Buffer
	x, y   float64 // the position, in millimetres from the top left
	bold   bool
	size   float64 // points
	text   [3]uint8
	fill   [3]uint8
	inked  [3]uint8 // the colour the page's stream paints with now
	footer func()
	info   gopdf.PdfInfo
	holder string // what the page-count place holder becomes
	enc    []byte // scratch: text in WinAnsiEncoding
}

// errNotStandard stops a document the standard fonts cannot show.
var errNotStandard = errors.New("text outside the standard fonts' characters")

// Page geometry of A4 in points, and the conversion from millimetres.
const (
	a4Width, a4Height = 595.28, 841.89
	ptPerMM           = 72 / 25.4
	// Helvetica's ascender and descender, in thousandths of the size.
	helveticaAscender, helveticaDescender = 718, -207
	// pagesHolder stands in a page's stream for the count of pages, known
	// at the end: no text holds its bytes, as encode refuses them.
	pagesHolder = "\x00pages\x00"
)

func newStdPDF(info gopdf.PdfInfo) *stdPDF { return &stdPDF{info: info, size: 9} }

func (s *stdPDF) AddFooter(f func()) { s.footer = f }

// AddPage starts a page and draws its footer, as gopdf does.
func (s *stdPDF) AddPage() {
	s.page = &bytes.Buffer{}
	s.pages = append(s.pages, s.page)
	s.inked = [3]uint8{}
	s.x, s.y = 0, 0
	if s.footer != nil {
		s.footer()
		s.x, s.y = 0, 0
	}
}

func (s *stdPDF) GetX() float64      { return s.x }
func (s *stdPDF) GetY() float64      { return s.y }
func (s *stdPDF) SetX(x float64)     { s.x = x }
func (s *stdPDF) SetXY(x, y float64) { s.x, s.y = x, y }

func (s *stdPDF) SetTextColor(r, g, b uint8) { s.text = [3]uint8{r, g, b} }
func (s *stdPDF) SetFillColor(r, g, b uint8) { s.fill = [3]uint8{r, g, b} }

// SetFont chooses Helvetica for the text family, Helvetica-Bold for bold;
// the other families (Korean, CJK) are not standard fonts.
func (s *stdPDF) SetFont(family, _ string, size interface{}) error {
	switch family {
	case "text":
		s.bold = false
	case "bold":
		s.bold = true
	default:
		return errNotStandard
	}
	pt, ok := size.(float64)
	if !ok {
		return fmt.Errorf("a font size of %T", size)
	}
	s.size = pt
	return nil
}

func (s *stdPDF) AddTTFFontFromFontContainer(string, *gopdf.FontContainer) error {
	return errNotStandard
}

// encode is text in WinAnsiEncoding, or errNotStandard.
func (s *stdPDF) encode(text string) ([]byte, error) {
	s.enc = s.enc[:0]
	for _, r := range text {
		b, ok := charmap.Windows1252.EncodeRune(r)
		if !ok || b < 32 || b == 0x7F {
			return nil, errNotStandard
		}
		s.enc = append(s.enc, b)
	}
	return s.enc, nil
}

// width is the width of encoded text in points.
func (s *stdPDF) width(enc []byte) float64 {
	widths := &helveticaWidths
	if s.bold {
		widths = &helveticaBoldWidths
	}
	total := 0
	for _, b := range enc {
		total += int(widths[b-32])
	}
	return float64(total) * s.size / 1000
}

// MeasureTextWidth is the width of text in millimetres.
func (s *stdPDF) MeasureTextWidth(text string) (float64, error) {
	enc, err := s.encode(text)
	if err != nil {
		return 0, err
	}
	return s.width(enc) / ptPerMM, nil
}

// Cell writes text with its top at the position and moves right past it.
func (s *stdPDF) Cell(_ *gopdf.Rect, text string) error {
	enc, err := s.encode(text)
	if err != nil {
		return err
	}
	baseline := s.y*ptPerMM + helveticaAscender*s.size/1000
	s.show(s.x*ptPerMM, baseline, enc)
	s.x += s.width(enc) / ptPerMM
	return nil
}

// CellWithOption writes text from the left of a cell, centred on its
// height, and moves right past the cell: the one option the invoice uses.
func (s *stdPDF) CellWithOption(r *gopdf.Rect, text string, opt gopdf.CellOption) error {
	if opt.Align != gopdf.Left|gopdf.Middle {
		return fmt.Errorf("a cell aligned %d", opt.Align)
	}
	enc, err := s.encode(text)
	if err != nil {
		return err
	}
	baseline := (s.y+r.H/2)*ptPerMM + (helveticaAscender+helveticaDescender)*s.size/2000
	s.show(s.x*ptPerMM, baseline, enc)
	s.x += r.W
	return nil
}

// PlaceHolderText writes the count of pages, filled in at the end, with
// its baseline at the position (as gopdf sets a place holder).
func (s *stdPDF) PlaceHolderText(_ string, _ float64) error {
	s.show(s.x*ptPerMM, s.y*ptPerMM, []byte(pagesHolder))
	return nil
}

// FillInPlaceHoldText sets the count of pages.
func (s *stdPDF) FillInPlaceHoldText(_, text string, _ int) error {
	enc, err := s.encode(text)
	s.holder = string(enc)
	return err
}

// RectFromUpperLeftWithStyle fills a rectangle (the one style used).
func (s *stdPDF) RectFromUpperLeftWithStyle(x, y, w, h float64, _ string) {
	s.ink(s.fill)
	b := s.page.AvailableBuffer()
	b = appendNum(b, x*ptPerMM)
	b = appendNum(append(b, ' '), a4Height-(y+h)*ptPerMM)
	b = appendNum(append(b, ' '), w*ptPerMM)
	b = appendNum(append(b, ' '), h*ptPerMM)
	s.page.Write(append(b, " re f\n"...))
}

// ink makes c the colour the page paints with.
func (s *stdPDF) ink(c [3]uint8) {
	if c == s.inked {
		return
	}
	s.inked = c
	b := s.page.AvailableBuffer()
	for i, v := range c {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, float64(v)/255, 'f', -1, 32)
	}
	s.page.Write(append(b, " rg\n"...))
}

// show writes encoded text at x and the baseline, both in points from the
// top left.
func (s *stdPDF) show(x, baseline float64, enc []byte) {
	s.ink(s.text)
	b := s.page.AvailableBuffer()
	b = append(b, "BT /F"...)
	if s.bold {
		b = append(b, '2')
	} else {
		b = append(b, '1')
	}
	b = appendNum(append(b, ' '), s.size)
	b = appendNum(append(b, " Tf "...), x)
	b = appendNum(append(b, ' '), a4Height-baseline)
	b = append(b, " Td ("...)
	for _, c := range enc { // encode refuses the control characters
		if c == '(' || c == ')' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	s.page.Write(append(b, ") Tj ET\n"...))
}

// appendNum appends v rounded to two decimals, without trailing zeros,
// as PDF numbers go.
func appendNum(b []byte, v float64) []byte {
	c := int64(math.Round(v * 100))
	if c < 0 {
		b, c = append(b, '-'), -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	if f := c % 100; f != 0 {
		b = append(b, '.', byte('0'+f/10))
		if f%10 != 0 {
			b = append(b, byte('0'+f%10))
		}
	}
	return b
}

// zlibWriters are reused: a compressor's tables cost more to allocate
// than a page's stream costs to compress.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// WriteTo writes the document: its catalog, pages, fonts, information and
// each page's compressed content, with the cross-reference table.
func (s *stdPDF) WriteTo(w io.Writer) (int64, error) {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(s.pages)
	const first = 6 // the objects before the pages: catalog, pages, two fonts, information
	kids := make([]byte, 0, n*10)
	for i := range n {
		kids = fmt.Appendf(kids, "%d 0 R ", first+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", bytes.TrimSpace(kids), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	obj(fmt.Sprintf("<< /Title %s /Author %s /Creator %s /Producer %s /CreationDate %s >>", pdfText16(s.info.Title),
		pdfText16(s.info.Author), pdfText16(s.info.Creator), pdfText16(s.info.Producer), pdfDate(s.info.CreationDate)))
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	var stream bytes.Buffer
	for _, page := range s.pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>",
			a4Width, a4Height, len(offsets)+2))
		content := bytes.ReplaceAll(page.Bytes(), []byte(pagesHolder), []byte(s.holder))
		stream.Reset()
		zw.Reset(&stream)
		zw.Write(content) //nolint:errcheck // a bytes.Buffer takes every byte
		zw.Close()        //nolint:errcheck // as above
		obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", stream.Len(), stream.Bytes()))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.WriteTo(w)
}

// pdfText16 is a text string of the document's information in UTF-16.
func pdfText16(s string) string {
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

// pdfDate is a date of the document's information, in UTC.
func pdfDate(t time.Time) string { return t.UTC().Format("(D:20060102150405Z)") }
