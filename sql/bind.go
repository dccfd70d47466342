package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// A query of two or more parameters names them (@account_id); the store
// binds them by name. The names are read past PostgreSQL's own uses of the
// signs a parameter could be mistaken for: casts (x::date), the <@ and @>
// operators, string literals, quoted identifiers, dollar-quoted bodies and
// comments.

// Bind replaces each @name of text by $n, the same n for the same
// name, in order of first use, and returns the names by n. A text that
// also holds positional parameters ($1) is refused: one query, one way.
func Bind(text string) (string, []string, error) {
	var b strings.Builder
	var names []string
	index := map[string]int{}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\'' || c == '"':
			j := closing(text, i+1, c)
			b.WriteString(text[i:j])
			i = j
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				j = len(text) - i
			}
			b.WriteString(text[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return "", nil, fmt.Errorf("sql: unterminated comment in %s", FirstLine(text))
			}
			b.WriteString(text[i : i+2+j+2])
			i += 2 + j + 2
		case c == '$':
			j := i + 1
			for j < len(text) && isNameByte(text[j]) {
				j++
			}
			if j < len(text) && text[j] == '$' { // $tag$ … $tag$ or $$ … $$
				tag := text[i : j+1]
				end := strings.Index(text[j+1:], tag)
				if end < 0 {
					return "", nil, fmt.Errorf("sql: unterminated %s body in %s", tag, FirstLine(text))
				}
				end += j + 1 + len(tag)
				b.WriteString(text[i:end])
				i = end
				continue
			}
			if j > i+1 && text[i+1] >= '0' && text[i+1] <= '9' {
				return "", nil, fmt.Errorf("sql: positional parameter %s in a query bound by name: %s", text[i:j], FirstLine(text))
			}
			b.WriteByte(c)
			i++
		case c == '@' && i+1 < len(text) && isNameStart(text[i+1]) && (i == 0 || text[i-1] != '<' && text[i-1] != '@'):
			j := i + 1
			for j < len(text) && isNameByte(text[j]) {
				j++
			}
			name := text[i+1 : j]
			n, ok := index[name]
			if !ok {
				names = append(names, name)
				n = len(names)
				index[name] = n
			}
			b.WriteString("$" + strconv.Itoa(n))
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	if len(names) == 0 {
		return "", nil, fmt.Errorf("sql: a query bound by name names no parameter: %s", FirstLine(text))
	}
	return b.String(), names, nil
}

// closing is the index just past the quote q that closes a literal or a
// quoted identifier begun before from (a doubled quote stays inside).
func closing(text string, from int, q byte) int {
	for i := from; i < len(text); i++ {
		if text[i] != q {
			continue
		}
		if i+1 < len(text) && text[i+1] == q {
			i++
			continue
		}
		return i + 1
	}
	return len(text)
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameByte(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }

// Prepared is the text of the named query as PostgreSQL is sent it: with
// $1, $2, … in place of its names, when it names them.
func Prepared(name string) string {
	text := Query(name)
	if out, _, err := Bind(text); err == nil {
		return out
	}
	return text
}

// FirstLine is a query's first line, quoted: how an error names it.
func FirstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return strconv.Quote(line)
}
