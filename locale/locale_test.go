package locale

import (
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// messages reads a catalog as its ids and each one's text (a plural
// sentence's forms joined).
func messages(t *testing.T, l string) map[string]string {
	t.Helper()
	data, err := catalogs.ReadFile("catalog/" + l + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s.yaml: %v", l, err)
	}
	out := map[string]string{}
	for id, v := range raw {
		switch v := v.(type) {
		case string:
			out[id] = v
		case map[string]any:
			text := ""
			for _, form := range []string{"zero", "one", "two", "few", "many", "other"} {
				if s, ok := v[form].(string); ok {
					text += s + "\n"
				}
			}
			out[id] = text
		default:
			t.Fatalf("%s.yaml: %s is neither a sentence nor plural forms", l, id)
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func names(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// Every sentence of the English catalog is in the Korean one with the same
// placeholders, and the Korean one has nothing else: a page, e-mail or
// document in Korean never falls back to English.
func TestEveryLocaleHasEverySentence(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	en := messages(t, English)
	if len(en) < 50 {
		t.Fatalf("the English catalog has %d sentences", len(en))
	}
	for _, l := range Supported[1:] {
		other := messages(t, l)
		p := For(l)
		for id, text := range en {
			tr, ok := other[id]
			if !ok {
				t.Errorf("%s.yaml lacks %q", l, id)
				continue
			}
			if !p.Has(id) {
				t.Errorf("%s: %q falls back to English", l, id)
			}
			if a, b := names(text), names(tr); !slices.Equal(a, b) {
				t.Errorf("%s: %q has placeholders %v, English %v", l, id, b, a)
			}
		}
		for id := range other {
			if _, ok := en[id]; !ok {
				t.Errorf("%s.yaml has %q, which en.yaml does not", l, id)
			}
		}
	}
}

func TestSentencesDatesAndAmounts(t *testing.T) {
	en, ko := For(English), For(Korean)
	d := calendar.NewDate(2026, 6, 30)
	for _, c := range []struct{ got, want string }{
		{en.T("Issue date"), "Issue date"},
		{ko.T("Issue date"), "발행일"},
		{en.T("Tax ({{.Rate}})", "Rate", "20%"), "Tax (20%)"},
		{ko.T("Tax ({{.Rate}})", "Rate", "20%"), "세금 (20%)"},
		{en.Date(d), "2026-06-30"},
		{ko.Date(d), "2026. 6. 30."},
		{ko.Amount(decimal.RequireFromString("1234567.5"), money.Currency("USD")), "1,234,567.50 USD"},
		{ko.Amount(decimal.RequireFromString("1200"), money.Currency("KRW")), "1,200 KRW"},
		{en.Code("charge.", "lateFee"), "lateFee"},
		{ko.Code("charge.", "lateFee"), "연체료"},
		{ko.Code("charge.", "unheardOf"), "unheardOf"},
		{For("fr").Locale, English},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWhichLocale(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"ko", "ko"}, {"KO-kr", "ko"}, {" en ", "en"}, {"en_GB", "en"}, {"fr", ""}, {"", ""}} {
		if got, _ := Parse(c.in); got != c.want {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ header, want string }{
		{"ko-KR,ko;q=0.9,en-US;q=0.8", "ko"},
		{"fr-FR,fr;q=0.9,en;q=0.5,ko;q=0.3", "en"},
		{"fr, de", ""},
		{"", ""},
	} {
		if got := FromAcceptLanguage(c.header); got != c.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", c.header, got, c.want)
		}
	}
	if got := First("", "fr", "ko", "en"); got != "ko" {
		t.Errorf("First = %q", got)
	}
	if got := First(); got != "en" {
		t.Errorf("First() = %q", got)
	}
}
