package main

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// scenarioOrder is every Parley scenario, in the order of the tables.
// "thread" on the command line stands for its two halves.
var scenarioOrder = []string{"post", "read", "sync", "thread-reply", "thread-read", "mixed"}

// ceilingOf names the run each scenario is compared with: a bare handler
// on the database Parley runs on (pg: PostgreSQL), or, for mixed, which has
// no bare equivalent, Parley's own read-50 in the same repetition, since
// the target is a p99 within 3× of read alone.
func ceilingOf(scenario, label string, pg bool) (target, as string) {
	switch scenario {
	case "post", "thread-reply":
		if pg {
			return "bare-pg-insert", "insert"
		}
		return "bare-insert", "insert"
	case "read", "sync", "thread-read":
		if pg {
			return "bare-pg-read50", "read50"
		}
		return "bare-read50", "read50"
	case "mixed":
		return label, "read"
	}
	return "", ""
}

// The mixed scenario follows Rocket.Chat's load tester (RUNBOOK defaults,
// per simulated user per day): 100 messages sent, 10 rooms opened, 10
// rooms marked read, 10 status changes; the tester's presence
// subscriptions need the realtime API, which Parley does not serve yet, and
// 10 reactions a day are added in their place. Opening a room is what the
// web client does over REST: the latest 50 messages and the subscription.
// So a cycle of 15 requests holds 10 sends, 2 for the open, and one each of
// the rest, spread out so that no two clients move in step.
type mixedOp int

const (
	opSend mixedOp = iota
	opHistory
	opSubscription
	opMarkRead
	opReact
	opStatus
)

var mixedCycle = []mixedOp{
	opHistory, opSubscription, opSend, opSend, opMarkRead, opSend, opSend, opReact,
	opSend, opSend, opStatus, opSend, opSend, opSend, opSend,
}

// mixedRequestsPerUserDay is the load tester's daily activity per user in
// requests, the unit of --rate.
const mixedRequestsPerUserDay = 150

// pacer spaces each client's requests as a Poisson process, so that a
// client stands for one user acting at the load tester's rates times rate,
// not for a closed loop that sends as fast as the server answers.
type pacer struct {
	mean time.Duration
	rngs []*rand.Rand
}

func newPacer(rate float64, clients int) *pacer {
	if rate <= 0 {
		return nil
	}
	p := &pacer{mean: time.Duration(float64(24*time.Hour) / (mixedRequestsPerUserDay * rate))}
	for w := range clients {
		p.rngs = append(p.rngs, rand.New(rand.NewPCG(uint64(w), 0x9e3779b97f4a7c15)))
	}
	return p
}

// wait is only ever called by client w's own goroutine.
func (p *pacer) wait(w int) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(p.rngs[w].ExpFloat64() * float64(p.mean))
}

// parleyRequests cycles each client, as its own user, over the rooms that
// user is a member of.
func parleyRequests(scenario, base string, fx *fixture, clients int, since []string, pace *pacer) nextFunc {
	headers := make([]http.Header, len(fx.users))
	for i, u := range fx.users {
		headers[i] = u.header()
	}
	api := base + "/api/v1/"
	return func(w, seq int) reqSpec {
		u := w % len(fx.users)
		rooms := fx.userRooms[u]
		r := rooms[(seq+w)%len(rooms)]
		spec := reqSpec{method: http.MethodGet, header: headers[u], wait: pace.wait(w)}
		post := func(path, body string) reqSpec {
			spec.method, spec.url, spec.body = http.MethodPost, api+path, []byte(body)
			return spec
		}
		get := func(path string) reqSpec {
			spec.url = api + path
			return spec
		}
		text := func() string { return jsonString(messageText(seq*clients + w)) }
		switch scenario {
		case "post":
			return post("chat.postMessage", `{"roomId":`+jsonString(fx.roomIDs[r])+`,"text":`+text()+`}`)
		case "sync":
			return get("chat.syncMessages?roomId=" + fx.roomIDs[r] + "&lastUpdate=" + url.QueryEscape(since[r]))
		case "thread-reply":
			return post("chat.sendMessage", `{"message":{"rid":`+jsonString(fx.roomIDs[r])+`,"tmid":`+jsonString(fx.threads[r])+`,"msg":`+text()+`}}`)
		case "thread-read":
			return get("chat.getThreadMessages?tmid=" + fx.threads[r] + "&count=50")
		case "mixed":
			k := seq + w*7
			cycle := k / len(mixedCycle)
			// A user stays in one room for a whole cycle, so the open, the
			// sends and the mark-read of a cycle concern the same room.
			r = rooms[(cycle+w)%len(rooms)]
			rid := fx.roomIDs[r]
			switch mixedCycle[k%len(mixedCycle)] {
			case opHistory:
				return get("channels.history?roomId=" + rid + "&count=50")
			case opSubscription:
				return get("subscriptions.getOne?roomId=" + rid)
			case opMarkRead:
				return post("subscriptions.read", `{"rid":`+jsonString(rid)+`}`)
			case opReact:
				ids := fx.recent[r]
				// chat.react toggles: a user's second reaction to the same
				// message takes the first away, so both paths are measured.
				return post("chat.react", `{"messageId":`+jsonString(ids[(cycle+w)%len(ids)])+`,"emoji":":smile:"}`)
			case opStatus:
				status := "online"
				if cycle%2 == 1 {
					status = "away"
				}
				return post("users.setStatus", `{"status":"`+status+`","message":"load `+strconv.Itoa(cycle%10)+`"}`)
			default:
				// The web client sends through chat.sendMessage.
				return post("chat.sendMessage", `{"message":{"rid":`+jsonString(rid)+`,"msg":`+text()+`}}`)
			}
		default:
			return get("channels.history?roomId=" + fx.roomIDs[r] + "&count=50")
		}
	}
}
