package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/events/pgbus"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// configSafetyPoll is how often a node rereads the settings' version
// although no event announced a change: it heals a change whose event was
// lost. Events bring changes at once.
const configSafetyPoll = 30 * time.Second

// openBus returns the bus between this node and the others: PostgreSQL's
// LISTEN/NOTIFY on the database the store uses, or memory on SQLite, where
// there is one node. close stops it.
func openBus(ctx context.Context, dbURL string, st *sqlstore.Store, log *slog.Logger, metrics prometheus.Registerer) (bus events.Bus, close func(), err error) {
	if st.Dialect() != "postgres" {
		return events.NewMemory(), func() {}, nil
	}
	b, err := pgbus.New(ctx, pgbus.Options{URL: dbURL, DB: st.DB(), Logger: log, Registerer: metrics})
	if err != nil {
		return nil, nil, err
	}
	return b, func() { b.Close() }, nil
}
