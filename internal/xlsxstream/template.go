package xlsxstream

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Template is what every workbook of one kind shares, ready to copy: the
// static parts compressed once, each worksheet split around its rows, each
// table with a placeholder where its range goes, and the document
// properties with placeholders for the title and time.
type Template struct {
	static []staticPart    // parts written as they are, in name order
	sheets []sheetTemplate // in the workbook's sheet order
	tables []tableTemplate // by table part number
	core   string          // docProps/core.xml with PlaceholderTitle and PlaceholderStamp
}

// staticPart is a part every workbook of a kind has as it is.
type staticPart struct {
	name string
	data compressedHead
}

// sheetTemplate is a worksheet part split around its dimension's range and
// its rows.
type sheetTemplate struct {
	part  string
	head  compressedHead // up to the range of <dimension ref="
	front []byte         // after the range, up to and including <sheetData>
	tail  []byte         // from </sheetData>, with PlaceholderFooter where the footer's text goes
}

type tableTemplate struct {
	part string
	text string // with TableRef(cols, PlaceholderRows) where its range goes
}

// Placeholders a template carries where each workbook's values go: a table
// laid out for the template spans TableRef(cols, PlaceholderRows).
// A sheet's footer (set with excelize's SetHeaderFooter) may hold
// PlaceholderFooter, which each workbook replaces with its own text.
const (
	PlaceholderTitle  = "XLSXSTREAM-TITLE-PLACEHOLDER"
	PlaceholderStamp  = "2000-01-01T00:00:00Z"
	PlaceholderRows   = 999999
	PlaceholderFooter = "XLSXSTREAM-FOOTER-PLACEHOLDER"
)

// NewTemplate turns a workbook laid out by excelize (sheets with their widths,
// panes and styles, tables spanning PlaceholderRows rows, no data rows) into
// a template. It sets the document properties itself, with creator as their
// author.
func NewTemplate(f *excelize.File, creator string) (*Template, error) {
	if err := f.SetDocProps(&excelize.DocProperties{Title: PlaceholderTitle, Creator: creator, LastModifiedBy: creator,
		Created: PlaceholderStamp, Modified: PlaceholderStamp, Language: "en-US"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	t := &Template{sheets: make([]sheetTemplate, len(f.GetSheetList()))}
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/tables/table") {
			t.tables = append(t.tables, tableTemplate{})
		}
	}
	for _, zf := range zr.File {
		data, err := readPart(zf)
		if err != nil {
			return nil, err
		}
		name := zf.Name
		switch {
		case name == "docProps/core.xml":
			t.core = string(data)
		case strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml"):
			n, err := partNumber(name, "xl/worksheets/sheet", len(t.sheets))
			if err != nil {
				return nil, err
			}
			open, end := bytes.Index(data, []byte("<sheetData>")), bytes.Index(data, []byte("</sheetData>"))
			if open < 0 || end < open {
				return nil, fmt.Errorf("%s has no rows element", name)
			}
			const dim = `<dimension ref="A1"`
			at := bytes.Index(data[:open], []byte(dim))
			if at < 0 {
				return nil, fmt.Errorf("%s has no dimension to fill in", name)
			}
			split := at + len(dim) - len(`A1"`)
			head, err := compressHead(data[:split])
			if err != nil {
				return nil, err
			}
			front := sortColumns(data[split+len("A1") : open+len("<sheetData>")])
			t.sheets[n-1] = sheetTemplate{part: name, head: head, front: front, tail: data[end:]}
		case strings.HasPrefix(name, "xl/tables/table"):
			n, err := partNumber(name, "xl/tables/table", len(t.tables))
			if err != nil {
				return nil, err
			}
			if !strings.Contains(string(data), strconv.Itoa(PlaceholderRows)) {
				return nil, fmt.Errorf("%s has no range to fill in", name)
			}
			t.tables[n-1] = tableTemplate{part: name, text: string(data)}
		default:
			head, err := compressHead(data)
			if err != nil {
				return nil, err
			}
			t.static = append(t.static, staticPart{name: name, data: head})
		}
	}
	for i, s := range t.sheets {
		if s.part == "" {
			return nil, fmt.Errorf("sheet %d has no part", i+1)
		}
	}
	if t.core == "" || !strings.Contains(t.core, PlaceholderTitle) {
		return nil, fmt.Errorf("no document properties to fill in")
	}
	sort.Slice(t.static, func(i, j int) bool { return t.static[i].name < t.static[j].name })
	return t, nil
}

// colElement is one <col .../> of a sheet's column widths.
var colElement = regexp.MustCompile(`<col min="(\d+)"[^>]*/>`)

// sortColumns puts a sheet's <col> elements in column order, as the
// schema asks (excelize writes them in map order, which some readers
// drop).
func sortColumns(front []byte) []byte {
	open, end := bytes.Index(front, []byte("<cols>")), bytes.Index(front, []byte("</cols>"))
	if open < 0 || end < open {
		return front
	}
	cols := colElement.FindAll(front[open+len("<cols>"):end], -1)
	sort.SliceStable(cols, func(i, j int) bool {
		a, _ := strconv.Atoi(string(colElement.FindSubmatch(cols[i])[1]))
		b, _ := strconv.Atoi(string(colElement.FindSubmatch(cols[j])[1]))
		return a < b
	})
	out := append([]byte(nil), front[:open+len("<cols>")]...)
	out = append(out, bytes.Join(cols, nil)...)
	return append(out, front[end:]...)
}

// partNumber reads N out of PREFIX N .xml and checks it is in 1..most.
func partNumber(name, prefix string, most int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".xml"))
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("unexpected part %s", name)
	}
	return n, nil
}

func readPart(zf *zip.File) ([]byte, error) {
	r, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// TableRef is the range of a table of cols columns whose last row is last.
func TableRef(cols, last int) string { return "A1:" + ColumnName(cols-1) + strconv.Itoa(last) }
