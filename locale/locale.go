// Package locale speaks to people in their language: the catalogs of every
// sentence the portal, the e-mails and the documents show, in English and
// Korean, and the way each language writes a date or an amount. The ISO
// codes (currencies, countries) and the data itself (names, numbers of
// invoices) are shown as they are in every language.
//
// Which language is used: documents and e-mails follow the account's
// locale, which the invoice keeps from the day it is finalized; pages
// follow the holder's choice, then the account's locale when one was set,
// then the browser's Accept-Language, then English (docs/PORTAL.md).
package locale

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// The locales the product speaks; English is the default and the one a
// missing translation falls back to.
const (
	English = "en"
	Korean  = "ko"
)

// Supported lists the locales, the default first.
var Supported = []string{English, Korean}

// Names are the locales as their speakers name them, for the chooser.
var Names = map[string]string{English: "English", Korean: "한국어"}

//go:embed catalog/*.yaml
var catalogs embed.FS

var bundle = sync.OnceValues(func() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, l := range Supported {
		data, err := catalogs.ReadFile("catalog/" + l + ".yaml")
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, l+".yaml"); err != nil {
			return nil, fmt.Errorf("the %s catalog: %w", l, err)
		}
	}
	return b, nil
})

// Check parses the catalogs, so that a broken one stops a process at its
// start (every billing command calls it) rather than showing ids on a page.
func Check() error {
	_, err := bundle()
	return err
}

// Parse reads a locale as a person or a file gives it ("ko", "ko-KR",
// "EN"), and says whether it is one the product speaks.
func Parse(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Supported {
		if s == l {
			return l, true
		}
	}
	return "", false
}

// FromAcceptLanguage is the supported locale a browser's Accept-Language
// prefers, or "" when it names none of them.
func FromAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		base, _ := t.Base()
		if l, ok := Parse(base.String()); ok {
			return l
		}
	}
	return ""
}

// First is the first of the given locales that the product speaks, or
// English.
func First(candidates ...string) string {
	for _, c := range candidates {
		if l, ok := Parse(c); ok {
			return l
		}
	}
	return English
}

// Printer writes the sentences, dates and amounts of one locale.
type Printer struct {
	Locale string
	loc    *i18n.Localizer
	err    error
	plain  sync.Map // id → the sentence of an id without placeholders, looked up once (a document asks for one per line)
}

var (
	printers   = map[string]*Printer{}
	printersMu sync.Mutex
)

// For is the printer of a locale; an unknown one prints English.
func For(l string) *Printer {
	l = First(l)
	printersMu.Lock()
	defer printersMu.Unlock()
	if p, ok := printers[l]; ok {
		return p
	}
	p := &Printer{Locale: l}
	b, err := bundle()
	if err != nil {
		p.err = err
	} else {
		p.loc = i18n.NewLocalizer(b, l, English)
	}
	printers[l] = p
	return p
}

// Money is an amount in its currency, as a placeholder's value: T writes
// it as Amount does.
type Money struct {
	Amount   decimal.Decimal
	Currency money.Currency
}

// Code is a code of the product as a placeholder's value: T writes it as
// Code does (its name in the catalog under Prefix, or the code itself).
type Code struct {
	Prefix, Value string
}

// T is the sentence id of the catalog in the printer's locale, its
// placeholders filled from the pairs of names and values kv (a
// calendar.Date written as Date does, a Money as Amount does); a value
// named Count also chooses the plural form. A sentence no catalog has is shown
// as its id (the catalogs' test fails on it first).
func (p *Printer) T(id string, kv ...any) string {
	if p.err != nil {
		return id
	}
	if len(kv) == 0 {
		if s, ok := p.plain.Load(id); ok {
			return s.(string)
		}
	}
	var data map[string]any
	var count any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			name := fmt.Sprint(kv[i])
			switch v := kv[i+1].(type) {
			case calendar.Date:
				data[name] = p.Date(v)
			case *calendar.Date:
				data[name] = p.Date(*v)
			case Money:
				data[name] = p.Amount(v.Amount, v.Currency)
			case Code:
				data[name] = p.Code(v.Prefix, v.Value)
			default:
				data[name] = v
			}
			if name == "Count" {
				count = kv[i+1]
			}
		}
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		s = id
	}
	if len(kv) == 0 {
		p.plain.Store(id, s)
	}
	return s
}

// Code is a code of the product (a charge type, a status) as id's prefix
// and the code name it in the catalog; a code no catalog names is shown as
// it is.
func (p *Printer) Code(prefix, code string) string {
	if s := p.T(prefix + code); s != prefix+code {
		return s
	}
	return code
}

// Has says whether the printer's own catalog (not its fallback) holds id.
func (p *Printer) Has(id string) bool {
	if p.err != nil {
		return false
	}
	_, tag, err := p.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return false
	}
	base, _ := tag.Base()
	return base.String() == p.Locale
}

// Date writes a date: ISO 8601 in English (2026-06-30), as Korean writes
// it in Korean (2026. 6. 30.).
func (p *Printer) Date(d calendar.Date) string {
	if p.Locale == Korean {
		return fmt.Sprintf("%d. %d. %d.", d.Year(), int(d.Month()), d.Day())
	}
	return d.String()
}

// Amount writes an amount with its currency's decimals and thousands
// separators, which English and Korean write alike (1,234.50), then the
// currency's ISO code.
func (p *Printer) Amount(v decimal.Decimal, c money.Currency) string {
	return money.Grouped(money.Format(v, c)) + " " + string(c)
}
