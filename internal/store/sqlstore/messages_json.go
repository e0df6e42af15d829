package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// A stored document ends with _updatedAt: messageDoc marshals it last (the
// fields after it are never stored), as an ISO time of fixed length.
var (
	updatedAtKey = []byte(`,"_updatedAt":"`)
	starredKey   = []byte(`"starred":[`)
	// PostgreSQL prints jsonb with a space after each colon.
	starredKeyPG = []byte(`"starred": [`)
)

// derivedKeysPG are the keys of a stored message document that its columns
// override. PostgreSQL's listings leave them out of the document they
// return, so that the columns can be appended to it as they are: jsonb
// keeps its keys in an order of its own, and without this the document
// would be decoded and encoded again on every read.
const derivedKeysPG = `'{_updatedAt,tcount,tlm,dcount,dlm}'::text[]`

const isoLen = len("2006-01-02T15:04:05.000Z")

// messageOrder is the tie-breaking order of message listings. Within one
// room ts is unique, so ts alone lets the (rid, ts) index deliver rows in
// order with no sort step; across rooms the id settles equal ts.
func messageOrder(f store.MessageFilter) string {
	if f.RID != "" {
		return "m.ts DESC"
	}
	return "m.ts DESC, m.id DESC"
}

func (t messages) ListJSON(ctx context.Context, f store.MessageFilter, opts store.ListOptions) ([]store.MessageJSON, error) {
	conds, args := t.where(f, nil)
	cols := messageCols
	pg := t.s.d.name == "postgres"
	if pg {
		cols = strings.TrimSuffix(messageCols, "m.doc") + "m.doc - " + derivedKeysPG
	}
	q := `SELECT ` + cols + ` FROM messages m` + joinWhere(conds) + orderClause(opts, t.sortable(), messageOrder(f)) + t.s.d.limitClause(opts)
	rows, err := t.s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err)
	}
	defer rows.Close()
	// One buffer serves every row's stored document, and the merged copies
	// are appended to one arena, cut into the rows' documents at the end:
	// a page costs a handful of allocations, not one or two per row.
	var (
		out   []store.MessageJSON
		ends  []int
		doc   sql.RawBytes
		arena []byte
	)
	for rows.Next() {
		m, err := scanMessageJSON(rows, &doc, arena, pg)
		if err != nil {
			return nil, err
		}
		if arena == nil && opts.Count > 1 {
			// Room for a page of rows like the first.
			out = make([]store.MessageJSON, 0, opts.Count)
			ends = make([]int, 0, opts.Count)
			arena = make([]byte, 0, (len(m.JSON)+64)*opts.Count)
			m.JSON = append(arena, m.JSON...)
		}
		arena = m.JSON
		out = append(out, m)
		ends = append(ends, len(arena))
	}
	start := 0
	for i, end := range ends {
		out[i].JSON = arena[start:end:end]
		start = end
	}
	return out, t.s.wrap(rows.Err())
}

// scanMessageJSON merges the columns that are the truth (counters and
// _updatedAt) into the stored document without decoding it, appending the
// result to dst; the returned JSON is all of dst with the row at its end.
// A document of another shape is decoded and encoded again instead:
// in-place JSON edits may add keys after _updatedAt. On PostgreSQL (pg),
// whose jsonb reorders keys, the document comes without the columns' keys
// (derivedKeysPG), and they are appended to it.
func scanMessageJSON(rows *sql.Rows, buf *sql.RawBytes, dst []byte, pg bool) (store.MessageJSON, error) {
	var (
		id, rid            string
		ts, tcount, dcount int64
		updated            int64
		tlm, dlm           sql.NullInt64
	)
	if err := rows.Scan(&id, &rid, &ts, &tcount, &tlm, &dcount, &dlm, &updated, buf); err != nil {
		return store.MessageJSON{}, err
	}
	doc := []byte(*buf)
	out := store.MessageJSON{ID: id, Ts: model.Time(ts), Starred: bytes.Contains(doc, starredKey)}
	cut := len(doc) - len(updatedAtKey) - isoLen - 2
	if pg {
		// The document without the columns' keys: the merged fields
		// follow its last one, from the same comma on as below.
		out.Starred = bytes.Contains(doc, starredKeyPG)
		cut = len(doc) - 1
		if cut < 2 || doc[0] != '{' || doc[cut] != '}' {
			cut = 0
		}
	}
	if cut < 1 || (!pg && (!bytes.Equal(doc[cut:cut+len(updatedAtKey)], updatedAtKey) || doc[len(doc)-1] != '}')) {
		m := new(model.Message)
		if err := json.Unmarshal(doc, m); err != nil {
			return out, err
		}
		m.ID, m.RID, m.Ts, m.TCount, m.DCount, m.UpdatedAt = id, rid, model.Time(ts), tcount, dcount, model.Time(updated)
		m.TLM, m.DLM = nullableTime(tlm), nullableTime(dlm)
		b, err := json.Marshal(m)
		out.JSON, out.Starred = append(dst, b...), len(m.Starred) > 0
		return out, err
	}
	b := append(dst, doc[:cut]...)
	b = appendTimeField(b, "_updatedAt", updated)
	if tcount != 0 {
		b = append(b, `,"tcount":`...)
		b = strconv.AppendInt(b, tcount, 10)
	}
	if tlm.Valid {
		b = appendTimeField(b, "tlm", tlm.Int64)
	}
	if dcount != 0 {
		b = append(b, `,"dcount":`...)
		b = strconv.AppendInt(b, dcount, 10)
	}
	if dlm.Valid {
		b = appendTimeField(b, "dlm", dlm.Int64)
	}
	out.JSON = append(b, '}')
	return out, nil
}

func nullableTime(v sql.NullInt64) *model.Time {
	if !v.Valid {
		return nil
	}
	t := model.Time(v.Int64)
	return &t
}

func appendTimeField(b []byte, key string, ms int64) []byte {
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":"`...)
	b = model.Time(ms).AppendISO(b)
	return append(b, '"')
}
