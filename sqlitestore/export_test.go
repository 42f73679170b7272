package sqlitestore

import (
	"context"
	"fmt"
)

// SetSchemaVersionForTest sets PRAGMA user_version.
func (db *DB) SetSchemaVersionForTest(ctx context.Context, v int) error {
	_, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}
