package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coder/websocket"
)

// ddpConn is the least of a DDP client the realtime scenarios need: the
// handshake, resume login, stream subscriptions and a read loop. It answers
// the server's pings so that idle connections stay open.
type ddpConn struct {
	ws   *websocket.Conn
	next int
}

// wsURL turns a server's http(s) base URL into its websocket endpoint.
func wsURL(base, path string) string {
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + path
	}
	return "ws://" + strings.TrimPrefix(base, "http://") + path
}

func dialDDP(ctx context.Context, base string) (*ddpConn, error) {
	ws, _, err := websocket.Dial(ctx, wsURL(base, "/websocket"), nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	d := &ddpConn{ws: ws}
	if err := d.send(ctx, map[string]any{"msg": "connect", "version": "1", "support": []string{"1"}}); err != nil {
		d.close()
		return nil, err
	}
	if _, err := d.until(ctx, func(f frame) bool { return f.Msg == "connected" }); err != nil {
		d.close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return d, nil
}

// frame is the part of a DDP message the tool looks at.
type frame struct {
	Msg   string          `json:"msg"`
	ID    string          `json:"id"`
	Subs  []string        `json:"subs"`
	Error json.RawMessage `json:"error"`
}

func (d *ddpConn) send(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.ws.Write(ctx, websocket.MessageText, b)
}

// read returns the next frame's bytes, answering pings on the way.
func (d *ddpConn) read(ctx context.Context) ([]byte, error) {
	for {
		_, b, err := d.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(b, []byte(`"msg":"ping"`)) {
			if err := d.send(ctx, map[string]any{"msg": "pong"}); err != nil {
				return nil, err
			}
			continue
		}
		return b, nil
	}
}

// until reads frames until done accepts one, which it returns.
func (d *ddpConn) until(ctx context.Context, done func(frame) bool) (frame, error) {
	for {
		b, err := d.read(ctx)
		if err != nil {
			return frame{}, err
		}
		var f frame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		if done(f) {
			return f, nil
		}
	}
}

func (d *ddpConn) id() string {
	d.next++
	return strconv.Itoa(d.next)
}

// login resumes the REST session token over the socket.
func (d *ddpConn) login(ctx context.Context, token string) error {
	id := d.id()
	if err := d.send(ctx, map[string]any{"msg": "method", "id": id, "method": "login", "params": []any{map[string]any{"resume": token}}}); err != nil {
		return err
	}
	f, err := d.until(ctx, func(f frame) bool { return f.Msg == "result" && f.ID == id })
	if err != nil {
		return err
	}
	if len(f.Error) > 0 {
		return fmt.Errorf("login: %s", f.Error)
	}
	return nil
}

// subscribe starts a stream subscription and waits for ready.
func (d *ddpConn) subscribe(ctx context.Context, name string, params ...any) error {
	id := d.id()
	if err := d.send(ctx, map[string]any{"msg": "sub", "id": id, "name": name, "params": params}); err != nil {
		return err
	}
	f, err := d.until(ctx, func(f frame) bool {
		return (f.Msg == "ready" && len(f.Subs) > 0 && f.Subs[0] == id) || (f.Msg == "nosub" && f.ID == id)
	})
	if err != nil {
		return err
	}
	if f.Msg == "nosub" {
		return errors.New("subscription refused: " + string(f.Error))
	}
	return nil
}

func (d *ddpConn) close() { d.ws.Close(websocket.StatusNormalClosure, "") }
