package store

import (
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
)

// MessageJSON is a message as stored, ready to be sent: reading history is
// the hottest path, and decoding each message only to encode it again
// would double its cost.
type MessageJSON struct {
	ID string
	Ts model.Time
	// JSON is the message document with its counters merged in.
	JSON json.RawMessage
	// Starred says the document lists stars, which callers must filter per
	// reader before sending.
	Starred bool
}
