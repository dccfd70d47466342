// Package sql holds the schema migrations and the queries of the billing
// database as .sql files, embedded in the binary.
package sql

import "embed"

// Migrations is the folder of goose migrations, applied in version order.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Sandbox is the folder of the sandbox gateway's migrations: its books, a
// migration line of their own apart from the product's.
//
//go:embed sandbox/*.sql
var Sandbox embed.FS
