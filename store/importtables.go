package store

// The tables the imports write (§10): for each import kind, its table, the
// columns the file may hold with their types and defaults, the key that
// identifies a record and its ON CONFLICT target, and the references that
// must exist. The COPY, the staging table and the checks are built from
// these, here; package ingest checks each value and names the kinds.

var importTables = map[string]*ImportTable{
	"accounts": {Table: "accounts", Key: []string{"account_id"}, Conflict: "(account_id)",
		Columns: []ImportColumn{
			{Name: "account_id", Required: true, SQLType: "text"},
			{Name: "name", Required: true, SQLType: "text"},
			{Name: "country", Required: true, SQLType: "text"},
			{Name: "currency", Required: true, SQLType: "text"},
			{Name: "billing_day", Required: true, SQLType: "smallint"},
			{Name: "email", SQLType: "text"},
			{Name: "payment_terms_days", SQLType: "smallint"},
			{Name: "locale", SQLType: "text"},
		},
	},
	"customers": {Table: "customers", Key: []string{"customer_id"}, Conflict: "(customer_id)",
		Columns: []ImportColumn{
			{Name: "customer_id", Required: true, SQLType: "text"},
			{Name: "account_id", Required: true, SQLType: "text"},
			{Name: "name", Required: true, SQLType: "text"},
			{Name: "country", Required: true, SQLType: "text"},
			{Name: "currency", Required: true, SQLType: "text"},
		},
		Refs: []ImportRef{{Column: "account_id", Table: "accounts", TableColumn: "account_id"}},
	},
	"products": {Table: "products", Key: []string{"sku"}, Conflict: "(sku)",
		Columns: []ImportColumn{
			{Name: "sku", Required: true, SQLType: "text"},
			{Name: "name", Required: true, SQLType: "text"},
			{Name: "kind", Required: true, SQLType: "text"},
			{Name: "billing", Required: true, SQLType: "text"},
		},
	},
	"prices": {Table: "prices", Key: []string{"sku", "currency", "from_quantity", "effective_from"}, Conflict: "ON CONSTRAINT prices_key",
		Columns: []ImportColumn{
			{Name: "sku", Required: true, SQLType: "text"},
			{Name: "currency", Required: true, SQLType: "text"},
			{Name: "from_quantity", SQLType: "numeric", Default: "0"},
			{Name: "effective_from", SQLType: "date"},
			{Name: "unit_price", Required: true, SQLType: "numeric"},
		},
		Refs: []ImportRef{{Column: "sku", Table: "products", TableColumn: "sku"}},
	},
	"tax-rates": {Table: "tax_rates", Key: []string{"country", "effective_from"}, Conflict: "ON CONSTRAINT tax_rates_key",
		Columns: []ImportColumn{
			{Name: "country", Required: true, SQLType: "text"},
			{Name: "effective_from", SQLType: "date"},
			{Name: "rate", Required: true, SQLType: "numeric"},
		},
	},
	"late-fees": {Table: "late_fee_policies", Key: []string{"currency", "effective_from"}, Conflict: "ON CONSTRAINT late_fee_policies_key",
		Columns: []ImportColumn{
			{Name: "currency", Required: true, SQLType: "text"},
			{Name: "after_days", Required: true, SQLType: "smallint"},
			{Name: "fixed", SQLType: "numeric", Default: "0"},
			{Name: "rate", SQLType: "numeric", Default: "0"},
			{Name: "minimum", SQLType: "numeric"},
			{Name: "maximum", SQLType: "numeric"},
			{Name: "effective_from", SQLType: "date"},
		},
	},
	"orders": {Table: "orders", Key: []string{"order_id"}, Conflict: "(order_id)",
		Columns: []ImportColumn{
			{Name: "order_id", Required: true, SQLType: "text"},
			{Name: "subscription_id", Required: true, SQLType: "text"},
			{Name: "customer_id", Required: true, SQLType: "text"},
			{Name: "sku", Required: true, SQLType: "text"},
			{Name: "action", Required: true, SQLType: "text"},
			{Name: "quantity", Required: true, SQLType: "numeric"},
			{Name: "effective_date", Required: true, SQLType: "date"},
		},
		Refs: []ImportRef{{Column: "customer_id", Table: "customers", TableColumn: "customer_id"}, {Column: "sku", Table: "products", TableColumn: "sku"}},
	},
	"usage": {Table: "usage_events", Key: []string{"event_id"}, Conflict: "(event_id)",
		Columns: []ImportColumn{
			{Name: "event_id", Required: true, SQLType: "text"},
			{Name: "subscription_id", Required: true, SQLType: "text"},
			{Name: "quantity", Required: true, SQLType: "numeric"},
			{Name: "occurred_at", Required: true, SQLType: "timestamptz"},
		},
	},
}

// ImportTableOf is the table of the import kind named on the command line
// ("usage"), if there is one.
func ImportTableOf(kind string) (*ImportTable, bool) {
	t, ok := importTables[kind]
	return t, ok
}
