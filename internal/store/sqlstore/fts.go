package sqlstore

import "context"

// ftsPending collects the messages a batch of SQLite transactions
// inserted; their text enters the full-text index just before the batch
// commits, in one statement. Indexing each message as it is inserted would
// make FTS5 write a new index segment at every savepoint that follows (each
// job's, and each multi-row statement's), and merging those segments cost
// more than the rest of a post. Messages are still searchable as soon as
// their transaction is acknowledged; within it, only after it.
type ftsPending struct{ ids []string }

// indexNew puts message id's text in the full-text index: at the end of the
// batch inside one, at once otherwise.
func (s *Store) indexNew(ctx context.Context, id string) error {
	if !s.d.ftsTable {
		return nil
	}
	if s.fts != nil {
		s.fts.ids = append(s.fts.ids, id)
		return nil
	}
	return (&ftsPending{ids: []string{id}}).flush(ctx, s)
}

// flush indexes the pending messages that still exist (those of jobs
// rolled back to their savepoint do not), replacing any entry an edit in
// the same batch already made.
func (p *ftsPending) flush(ctx context.Context, s *Store) error {
	const chunk = 500
	for len(p.ids) > 0 {
		n := min(len(p.ids), chunk)
		ids := p.ids[:n]
		args := make([]any, n)
		for i, id := range ids {
			args[i] = id
		}
		in := "(" + placeholders(1, n) + ")"
		if _, err := s.w.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid IN (SELECT seq FROM messages WHERE id IN `+in+`)`, args...); err != nil {
			return s.wrap(err)
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO messages_fts (rowid, msg) SELECT seq, msg FROM messages WHERE id IN `+in+` AND msg <> ''`, args...); err != nil {
			return s.wrap(err)
		}
		p.ids = p.ids[n:]
	}
	return nil
}
