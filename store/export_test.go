package store

// SnakeCase is snakeCase, for the tests of package store_test.
var SnakeCase = snakeCase
