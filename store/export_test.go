package store

// SnakeCase is snakeCase, for the tests of package store_test.
var SnakeCase = snakeCase

// CompileNamed compiles text for parameters P and returns its $n text.
func CompileNamed[P any](text string) (string, error) {
	q, err := compileNamed[P](text, false)
	return q.text, err
}

// NamedArgs is what a named query passes the driver for p.
func NamedArgs[P any](text string, p P) []any { return named[P](text).args(p) }

// CompileNamedRow is CompileNamed for a row type's parameters.
func CompileNamedRow[P any](text string) (string, error) {
	q, err := compileNamed[P](text, true)
	return q.text, err
}
