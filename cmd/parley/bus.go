package main

import (
	"context"
	"log/slog"
	"sync"
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
// there is one node. close stops it; metrics are its collectors.
func openBus(ctx context.Context, dbURL string, st *sqlstore.Store, log *slog.Logger) (bus events.Bus, close func(), metrics []prometheus.Collector, err error) {
	if st.Dialect() != "postgres" {
		return events.NewMemory(), func() {}, nil, nil
	}
	var reg collectorList
	b, err := pgbus.New(ctx, pgbus.Options{URL: dbURL, DB: st.DB(), Logger: log, Registerer: &reg})
	if err != nil {
		return nil, nil, nil, err
	}
	return b, func() { b.Close() }, reg.cs, nil
}

// collectorList is a Registerer that only keeps what it is given, for the
// app to serve once the HTTP layer's registry exists.
type collectorList struct {
	mu sync.Mutex
	cs []prometheus.Collector
}

func (l *collectorList) Register(c prometheus.Collector) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cs = append(l.cs, c)
	return nil
}

func (l *collectorList) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = l.Register(c)
	}
}

func (l *collectorList) Unregister(prometheus.Collector) bool { return false }
