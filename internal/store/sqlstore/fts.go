package sqlstore

import "context"

// ftsPending collects the messages a batch of SQLite transactions
// inserted; their text enters the full-text index just before the batch
// commits, in one statement. Indexing each message as it is inserted would
// make FTS5 write a new index segment at every savepoint that follows (each
// job's, and each multi-row statement's), and merging those segments cost
// more than the rest of a post. Messages are still searchable as soon as
// their transaction is acknowledged; within it, only after it.
type ftsPending struct {
	ids []string
	// edited lists messages updated in the batch; those also inserted in
	// it may have been indexed by the update trigger already, and their
	// entries are replaced, not added twice.
	edited []string
}

// noteEdit records that message id was updated inside the batch.
func (s *Store) noteEdit(id string) {
	if s.pending != nil {
		s.pending.fts.edited = append(s.pending.fts.edited, id)
	}
}

// indexNew puts message id's text in the full-text index: at the end of the
// batch inside one, at once otherwise.
func (s *Store) indexNew(ctx context.Context, id string) error {
	if !s.d.ftsTable {
		return nil
	}
	if s.pending != nil {
		s.pending.fts.ids = append(s.pending.fts.ids, id)
		return nil
	}
	return (&ftsPending{ids: []string{id}}).flush(ctx, s)
}

// flush indexes the pending messages that still exist (those of jobs
// rolled back to their savepoint do not), replacing any entry an edit in
// the same batch already made.
func (p *ftsPending) flush(ctx context.Context, s *Store) error {
	// Only messages both inserted and edited in this batch can have an
	// entry already; an older message's edit keeps what its trigger wrote.
	inserted := make(map[string]bool, len(p.ids))
	for _, id := range p.ids {
		inserted[id] = true
	}
	var replace []string
	for _, id := range p.edited {
		if inserted[id] {
			replace = append(replace, id)
		}
	}
	if err := eachChunk(replace, func(in string, args []any) error {
		_, err := s.w.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid IN (SELECT seq FROM messages WHERE id IN `+in+`)`, args...)
		return err
	}); err != nil {
		return s.wrap(err)
	}
	if err := eachChunk(p.ids, func(in string, args []any) error {
		_, err := s.w.ExecContext(ctx, `INSERT INTO messages_fts (rowid, msg) SELECT seq, msg FROM messages WHERE id IN `+in+` AND msg <> '' ORDER BY seq`, args...)
		return err
	}); err != nil {
		return s.wrap(err)
	}
	p.ids, p.edited = nil, nil
	return nil
}

// eachChunk calls fn with "($1, …)" and the arguments for up to 500 ids
// at a time.
func eachChunk(ids []string, fn func(in string, args []any) error) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := fn("("+placeholders(1, n)+")", args); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
