package config

import (
	"flag"
	"fmt"
	"time"
)

// Realtime holds the websocket's limits. The defaults suit Rocket.Chat's
// clients; operators change them for clients on slow links (longer
// timeouts) or for many quiet connections per node (a shorter queue).
type Realtime struct {
	PingInterval     time.Duration
	PingTimeout      time.Duration
	SendQueue        int
	WriteTimeout     time.Duration
	MaxFrameBytes    int64
	MaxSubscriptions int
	OfflineAfter     time.Duration
}

func (r *Realtime) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.DurationVar(&r.PingInterval, "ws-ping-interval", envDuration(getenv, "PARLEY_WS_PING_INTERVAL", 15*time.Second), "ping a websocket client silent this long (PARLEY_WS_PING_INTERVAL)")
	fs.DurationVar(&r.PingTimeout, "ws-ping-timeout", envDuration(getenv, "PARLEY_WS_PING_TIMEOUT", 15*time.Second), "close a pinged websocket client that sends nothing for this long (PARLEY_WS_PING_TIMEOUT)")
	fs.IntVar(&r.SendQueue, "ws-send-queue", int(envInt64(getenv, "PARLEY_WS_SEND_QUEUE", 1024)), "frames queued for one websocket client before it is disconnected as too slow (PARLEY_WS_SEND_QUEUE)")
	fs.DurationVar(&r.WriteTimeout, "ws-write-timeout", envDuration(getenv, "PARLEY_WS_WRITE_TIMEOUT", 10*time.Second), "longest write of a batch of frames to a websocket client (PARLEY_WS_WRITE_TIMEOUT)")
	fs.Int64Var(&r.MaxFrameBytes, "ws-max-frame", envInt64(getenv, "PARLEY_WS_MAX_FRAME_BYTES", 256<<10), "largest incoming websocket frame in bytes (PARLEY_WS_MAX_FRAME_BYTES)")
	fs.IntVar(&r.MaxSubscriptions, "ws-max-subscriptions", int(envInt64(getenv, "PARLEY_WS_MAX_SUBSCRIPTIONS", 500)), "active subscriptions per websocket connection (PARLEY_WS_MAX_SUBSCRIPTIONS)")
	fs.DurationVar(&r.OfflineAfter, "ws-offline-after", envDuration(getenv, "PARLEY_WS_OFFLINE_AFTER", 10*time.Second), "how long a user without connections stays online, so that a reload does not flash offline (PARLEY_WS_OFFLINE_AFTER)")
}

func (r *Realtime) check() error {
	for _, d := range []struct {
		name string
		v    int64
	}{
		{"--ws-ping-interval", int64(r.PingInterval)}, {"--ws-ping-timeout", int64(r.PingTimeout)},
		{"--ws-send-queue", int64(r.SendQueue)}, {"--ws-write-timeout", int64(r.WriteTimeout)},
		{"--ws-max-subscriptions", int64(r.MaxSubscriptions)}, {"--ws-offline-after", int64(r.OfflineAfter)},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive", d.name)
		}
	}
	if r.MaxFrameBytes < 4<<10 {
		return fmt.Errorf("--ws-max-frame must be at least 4096")
	}
	return nil
}
