package sqlstore

import (
	"maps"
	"slices"
	"sync"

	"github.com/parleychat/parley/internal/model"
)

// roomCache keeps decoded room documents and known memberships in memory
// on SQLite, where this process is the database's only writer and so sees
// every change. On PostgreSQL, where other nodes write too, what it keeps
// are hints (rooms.GetHint, subscriptions.MemberHint) for writes that
// check them again in SQL. Posting reads its room and the sender's membership on
// every request, and those reads cost as much as a fifth of the request;
// both change rarely. A room document changes only through Update, Delete
// and AddUsersCount; the counters a message moves (msgs, lm, lastMessage,
// _updatedAt) are not kept, as they change with every post. A membership
// ends only through the subscription deletes, which forget all of them.
//
// A change forgets what it touches twice: when its statement runs, and
// again when its transaction ends, because a reader may have loaded the
// old value in between. A load that raced with a change is not kept:
// every change moves gen on, and a value is stored only if gen did not
// move while it was read.
type roomCache struct {
	mu      sync.Mutex
	gen     uint64
	rooms   map[string]*model.Room
	members map[membership]struct{}
	// prints holds, on PostgreSQL, what identifies the kept version of
	// each room, for the writes that require it unchanged.
	prints map[string]roomPrint
}

// roomPrint identifies a version of a room: the MD5 of its document as
// PostgreSQL prints it, and its usersCount, which lives in a column.
type roomPrint struct {
	doc   string
	users int64
}

type membership struct{ rid, userID string }

// Past these sizes, new entries are not kept: about a kilobyte a room and
// a hundred bytes a membership, some 20 MB when both are full.
const (
	roomCacheMax   = 10_000
	memberCacheMax = 100_000
)

func newRoomCache() *roomCache {
	return &roomCache{rooms: map[string]*model.Room{}, members: map[membership]struct{}{}, prints: map[string]roomPrint{}}
}

// get returns a copy of room id if it is kept, and the generation to hand
// to put after loading it otherwise.
func (c *roomCache) get(id string) (*model.Room, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rooms[id]; ok {
		return cloneRoom(r), c.gen
	}
	return nil, c.gen
}

// put keeps r, loaded when the generation was gen.
func (c *roomCache) put(r *model.Room, gen uint64) { c.putPrint(r, roomPrint{}, gen) }

// putPrint keeps r and its print, loaded when the generation was gen.
func (c *roomCache) putPrint(r *model.Room, p roomPrint, gen uint64) {
	kept := cloneRoom(r)
	kept.Msgs, kept.LM, kept.LastMessage, kept.UpdatedAt = 0, nil, nil, 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.rooms) < roomCacheMax {
		c.rooms[r.ID] = kept
		if p.doc != "" {
			c.prints[r.ID] = p
		}
	}
}

// print is the print of the kept version of room id.
func (c *roomCache) print(id string) (roomPrint, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.prints[id]
	return p, ok
}

func (c *roomCache) forget(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		delete(c.rooms, id)
		delete(c.prints, id)
	}
}

// isMember reports whether the membership is known, and the generation
// to hand to putMember after reading it otherwise.
func (c *roomCache) isMember(rid, userID string) (bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.members[membership{rid, userID}]
	return ok, c.gen
}

// putMember keeps a membership read when the generation was gen.
func (c *roomCache) putMember(rid, userID string, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.members) < memberCacheMax {
		c.members[membership{rid, userID}] = struct{}{}
	}
}

// forgetMember forgets one membership that was found gone. Only a kept
// one moves gen on: non-members are read often, and every move fails the
// loads under way.
func (c *roomCache) forgetMember(rid, userID string) {
	k := membership{rid, userID}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.members[k]; ok {
		c.gen++
		delete(c.members, k)
	}
}

// forgetMembers forgets every membership: deletions are rare, and one
// room's or one user's can end many.
func (c *roomCache) forgetMembers() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.members)
}

// cloneRoom copies r deeply enough that a caller changing its copy's
// lists or custom fields cannot change the kept one.
func cloneRoom(r *model.Room) *model.Room {
	c := *r
	if r.U != nil {
		u := *r.U
		c.U = &u
	}
	if r.SysMes != nil {
		v := *r.SysMes
		c.SysMes = &v
	}
	if r.LM != nil {
		v := *r.LM
		c.LM = &v
	}
	c.LastMessage = slices.Clone(r.LastMessage)
	c.UIDs = slices.Clone(r.UIDs)
	c.Usernames = slices.Clone(r.Usernames)
	c.Muted = slices.Clone(r.Muted)
	c.Unmuted = slices.Clone(r.Unmuted)
	c.SysMesHidden = slices.Clone(r.SysMesHidden)
	c.CustomFields = maps.Clone(r.CustomFields)
	return &c
}

// exactCache is the room cache when it sees every change (SQLite), so
// that any read may trust it; nil on PostgreSQL.
func (s *Store) exactCache() *roomCache {
	if s.d.name != "sqlite" {
		return nil
	}
	return s.rooms
}

// cacheChanges is what statements changed that the room cache keeps.
type cacheChanges struct {
	rooms   []string
	members bool
}

// changeCached runs a statement that changes what the room cache keeps, as
// what says. It is forgotten at once, and again once the statement's
// batch has committed or rolled back (or right after the statement outside
// a batch), because a reader may load the old value in between.
func (s *Store) changeCached(what cacheChanges, run func() error) error {
	if s.rooms == nil {
		return run()
	}
	what.forget(s.rooms)
	err := run()
	if s.pending != nil {
		s.pending.changed.rooms = append(s.pending.changed.rooms, what.rooms...)
		s.pending.changed.members = s.pending.changed.members || what.members
	} else {
		what.forget(s.rooms)
	}
	return err
}

// forget forgets what b lists.
func (b *cacheChanges) forget(c *roomCache) {
	if c == nil {
		return
	}
	if len(b.rooms) > 0 {
		c.forget(b.rooms...)
	}
	if b.members {
		c.forgetMembers()
	}
}
