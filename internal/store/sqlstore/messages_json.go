package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// A stored document ends with _updatedAt: messageDoc marshals it last (the
// fields after it are never stored), as an ISO time of fixed length.
var (
	updatedAtKey = []byte(`,"_updatedAt":"`)
	starredKey   = []byte(`"starred":`)
)

// hasStars tells whether a stored document has a starred list. Documents
// that went through jsonb have a space after each colon.
func hasStars(doc []byte) bool {
	for {
		i := bytes.Index(doc, starredKey)
		if i < 0 {
			return false
		}
		doc = doc[i+len(starredKey):]
		if len(doc) > 1 && doc[0] == ' ' {
			doc = doc[1:]
		}
		if len(doc) > 0 && doc[0] == '[' {
			return true
		}
	}
}

// derivedKeysPG are the keys of a stored message document that its columns
// override.
const derivedKeysPG = `'{_updatedAt,tcount,tlm,dcount,dlm}'::text[]`

// docFromJSONB is a PostgreSQL expression: the message document the jsonb
// value j holds, as json text in the shape scanMessageJSON merges without
// decoding: without the columns' keys, and with _updatedAt last. PostgreSQL
// keeps a message's document as json, the text it was written as, because
// printing jsonb cost more than the rest of a page read; the few writes
// that edit a document in SQL go through jsonb, which orders keys its own
// way, and end here. A document without _updatedAt is kept as it is, and
// read the slow way.
func docFromJSONB(j string) string {
	rest := `((` + j + `) - ` + derivedKeysPG + `)`
	return `CASE WHEN (` + j + `) ? '_updatedAt' AND ` + rest + ` <> '{}'::jsonb
		THEN CAST(left(CAST(` + rest + ` AS TEXT), -1) || ',"_updatedAt":' || CAST((` + j + `)->'_updatedAt' AS TEXT) || '}' AS JSON)
		ELSE CAST(` + j + ` AS JSON) END`
}

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
	q, args := t.listQuery(f, opts)
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
		m, err := scanMessageJSON(rows, &doc, arena)
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
// in-place JSON edits may add keys after _updatedAt.
func scanMessageJSON(rows *sql.Rows, buf *sql.RawBytes, dst []byte) (store.MessageJSON, error) {
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
	out := store.MessageJSON{ID: id, Ts: model.Time(ts), Starred: hasStars(doc)}
	cut := len(doc) - len(updatedAtKey) - isoLen - 2
	if cut < 1 || !bytes.Equal(doc[cut:cut+len(updatedAtKey)], updatedAtKey) || doc[len(doc)-1] != '}' {
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
