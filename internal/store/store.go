// Package store defines Parley's storage interface in terms of model types.
// One implementation (sqlstore) serves both SQLite and PostgreSQL; the
// conformance suite in storetest holds them to the same behaviour.
package store

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/model"
)

var (
	// ErrNotFound is returned when a looked-up row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a unique key is already taken.
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable is returned when the database cannot be reached.
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrChanged is Messages.Post's refusal when the membership it was
	// told to require is gone, or the room is: the caller's checks were
	// made on what no longer holds, and must be made again.
	ErrChanged = errors.New("store: room or membership changed")
)

// Store is the storage of one Parley deployment.
type Store interface {
	Users() Users
	Tokens() Tokens
	LoginAttempts() LoginAttempts
	Rooms() Rooms
	Subscriptions() Subscriptions
	Messages() Messages
	Threads() Threads
	Receipts() Receipts
	Files() Files
	Settings() Settings
	Permissions() Permissions
	// Room moderation: bans, invite links and message archives.
	Bans() Bans
	Invites() Invites
	RoomExports() RoomExports

	// InTx runs fn in one transaction: all of fn's writes commit together or
	// not at all. Calls on the Store passed to fn use that transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	// ConfigVersion returns a counter that tells other nodes to reload
	// settings and permissions. The store does not move it by itself:
	// whoever changes them calls BumpConfigVersion in the same transaction.
	ConfigVersion(ctx context.Context) (int64, error)
	// BumpConfigVersion increments it.
	BumpConfigVersion(ctx context.Context) error

	Ping(ctx context.Context) error
	Close() error
}

// ListOptions pages and sorts a listing.
type ListOptions struct {
	Offset int
	Count  int // 0 = no limit
	// Sort lists fields to order by with +1/-1 directions; implementations
	// accept only the fields they document and ignore the rest.
	Sort []SortField
}

// SortField is one ordering key.
type SortField struct {
	Field string
	Desc  bool
}

// Users stores accounts.
type Users interface {
	Create(ctx context.Context, u *model.User) error
	Update(ctx context.Context, u *model.User) error
	Delete(ctx context.Context, id string) error
	Get(ctx context.Context, id string) (*model.User, error)
	GetByUsername(ctx context.Context, username string) (*model.User, error)
	GetByEmail(ctx context.Context, email string) (*model.User, error)
	GetMany(ctx context.Context, ids []string) ([]*model.User, error)
	// GetManyByUsername returns the users with the given usernames (any
	// case), in no particular order; unknown names are left out.
	GetManyByUsername(ctx context.Context, usernames []string) ([]*model.User, error)
	// List returns users whose username or name contains filter (case
	// insensitive; empty matches all), and the total count.
	List(ctx context.Context, filter string, opts ListOptions) ([]*model.User, int, error)
	Count(ctx context.Context) (int, error)
	CountWithRole(ctx context.Context, role string) (int, error)
	// ListWithRole returns the users holding role, and how many there are:
	// as a global role, or (inRooms) as a room role in room rid, or in any
	// room when rid is empty. They are ordered as opts says (by username by
	// default).
	ListWithRole(ctx context.Context, role string, inRooms bool, rid string, opts ListOptions) ([]*model.User, int, error)
	// Find lists the users that match f, sorted by opts (username, name,
	// createdAt, _updatedAt, status, active; username by default), and
	// their total.
	Find(ctx context.Context, f UserFilter, opts ListOptions) ([]*model.User, int, error)
}

// UserFilter selects users; zero fields select nothing out.
type UserFilter struct {
	// Search matches a substring of the username or the name, and of the
	// email address too when SearchEmail is set (case-insensitive).
	Search      string
	SearchEmail bool
	Active      *bool
	// HasLoggedIn selects users who have (or have never) logged in.
	HasLoggedIn  *bool
	Types        []string // any of these types
	NotTypes     []string
	Roles        []string // holding any of these global roles
	IDs          []string // one of these ids; an empty non-nil list matches nobody
	NotIDs       []string
	NotUsernames []string // case-insensitive
	// NotOffline leaves out users whose status is offline or unset.
	NotOffline bool
	// UpdatedSince selects users changed at or after it (0: any).
	UpdatedSince model.Time
	// SharesRoomWith selects users subscribed to a room that this user is
	// subscribed to as well.
	SharesRoomWith string
	// Cond is a condition on the user's fields (see UserCond).
	Cond *UserCond
}

// UserCond is a tree of equality tests on a user's fields: a leaf tests
// Field = Value; otherwise all of And and at least one of Or hold. The
// fields are _id, username, name, type, status, statusText, active and
// roles (holding the role).
type UserCond struct {
	Field string
	Value any
	And   []UserCond
	Or    []UserCond
}

// Tokens stores hashed login and personal access tokens.
type Tokens interface {
	Create(ctx context.Context, t *model.Token) error
	// Get finds the token for user id with the given hash.
	Get(ctx context.Context, userID, hashed string) (*model.Token, error)
	// Owner returns the id of the user a hashed token belongs to.
	Owner(ctx context.Context, hashed string) (string, error)
	Delete(ctx context.Context, userID, hashed string) error
	ListByUser(ctx context.Context, userID, kind string) ([]*model.Token, error)
	DeleteByName(ctx context.Context, userID, name string) error
	DeleteByUser(ctx context.Context, userID string) error
	// DeleteLoginExcept removes the user's login tokens except the one
	// whose hash is keep (all of them when keep is empty). Personal access
	// tokens stay.
	DeleteLoginExcept(ctx context.Context, userID, keep string) error
	// Session checks a login in one read: ErrNotFound unless the token
	// with this hash belongs to userID (and the user exists); otherwise
	// whether the user is active and when the user last changed.
	Session(ctx context.Context, userID, hashed string) (Session, error)
}

// Session is the state of a login as Tokens.Session reads it.
type Session struct {
	Active        bool
	UserUpdatedAt model.Time
}

// LoginAttempt is one password login, successful or not.
type LoginAttempt struct {
	At       model.Time
	IP       string
	Username string // as typed, lower-cased; the username when found by email
	OK       bool
}

// Login attempts are counted by client address or by username.
const (
	ByIP       = "ip"
	ByUsername = "username"
)

// LoginAttempts records password logins, so that repeated failures block a
// username or a client address for a while, on every node alike.
type LoginAttempts interface {
	Add(ctx context.Context, a LoginAttempt) error
	// Failures counts the failed attempts whose by (ByIP or ByUsername)
	// equals value, made after since and after the last successful one,
	// and returns the time of the latest of them.
	Failures(ctx context.Context, by, value string, since model.Time) (count int, last model.Time, err error)
	// Prune removes the attempts made before before.
	Prune(ctx context.Context, before model.Time) error
}

// RoomFilter selects rooms in a listing.
type RoomFilter struct {
	Types []string // empty = any
	Name  string   // substring of name, case insensitive
	IDs   []string // restrict to these ids when non-nil
	// TeamRoomsAmong, when non-nil, keeps a room that belongs to a team
	// (its main room included) only if its id is listed.
	TeamRoomsAmong []string
	// Prid, when set, keeps the discussions started in that room.
	Prid string
}

// Rooms stores rooms.
type Rooms interface {
	Create(ctx context.Context, r *model.Room) error
	Update(ctx context.Context, r *model.Room) error
	Delete(ctx context.Context, id string) error
	Get(ctx context.Context, id string) (*model.Room, error)
	// GetHead is Get with only ID, T and Prid filled, for hot paths that
	// need no more: it reads those columns alone, or takes them from the
	// cache that serves GetCached.
	GetHead(ctx context.Context, id string) (*model.Room, error)
	// GetHint is GetCached for a caller that writes on the strength of
	// the answer only through a write that requires the room unchanged
	// (NewPost.RoomHint, or Unchanged in its transaction), or reads only
	// through a listing that requires what it relied on (MessageFilter.Guard):
	// the answer may come from a memory that another node has made stale.
	GetHint(ctx context.Context, id string) (*model.Room, error)
	// Unchanged answers ErrChanged unless room id is still what GetHint
	// answered (its document and usersCount), and locks the room's row
	// for writing until the transaction ends.
	Unchanged(ctx context.Context, id string) error
	// GetCached is Get for hot paths that need the room's document and
	// usersCount but not the counters each message moves (msgs, lm,
	// lastMessage, _updatedAt), which it may leave empty. A store may
	// answer it from memory.
	GetCached(ctx context.Context, id string) (*model.Room, error)
	GetByName(ctx context.Context, name string) (*model.Room, error)
	List(ctx context.Context, f RoomFilter, opts ListOptions) ([]*model.Room, int, error)
	// ListDefault returns the default rooms (is_default), oldest first:
	// the rooms every new user joins.
	ListDefault(ctx context.Context) ([]*model.Room, error)
	// AddUsersCount atomically adds delta to usersCount.
	AddUsersCount(ctx context.Context, id string, delta int) error
	// Lock locks room id's row until the transaction ends. Writers that
	// change a message lock its room first, as posting does (for the
	// message's ts), so that the two never wait for each other in a cycle.
	Lock(ctx context.Context, id string) error
	// NextTs hands out the timestamp of a new message in room id: want, or
	// one millisecond after the room's previous message if that is later,
	// so that timestamps are strictly increasing per room. It locks the
	// room row until the transaction ends.
	NextTs(ctx context.Context, id string, want model.Time) (model.Time, error)
	// AddMessages atomically adds delta to msgs. A non-nil last becomes the
	// room's lastMessage, and its ts the room's lm.
	AddMessages(ctx context.Context, id string, delta int, last *model.Message) error
	// SetLastMessage replaces lastMessage; nil clears it.
	SetLastMessage(ctx context.Context, id string, last *model.Message) error
	// ListTeamRooms lists rooms by their team (see TeamRoomFilter),
	// sorted by name unless opts says otherwise, and the total count.
	ListTeamRooms(ctx context.Context, f TeamRoomFilter, opts ListOptions) ([]*model.Room, int, error)
}

// TeamRoomFilter selects rooms by team. With Mains it selects the main
// rooms of teams (of TeamIDs only when that is non-nil); otherwise the rooms
// that belong to team TeamID, its main room left out.
type TeamRoomFilter struct {
	Mains   bool
	TeamIDs []string
	TeamID  string
	// IDs restricts the rooms to these ids when non-nil.
	IDs []string
	// VisibleTo, when non-nil, keeps public channels and the rooms whose
	// ids it lists.
	VisibleTo []string
	// Name keeps rooms whose name contains it (case insensitive); with
	// NamePrefix, whose name starts with it.
	Name       string
	NamePrefix bool
	// DefaultOnly keeps the team's default (auto-join) rooms.
	DefaultOnly bool
	// ChildrenOf, set to the team's main room id, selects the team's
	// children instead of its rooms: the rooms of team TeamID, main room
	// included, and the discussions of the main room. ChildKind
	// "channels" or "discussions" keeps one of the two. With Name, the
	// room's fname matches too. ChildrenFor, when set, keeps public
	// channels and the rooms that user is subscribed to.
	ChildrenOf  string
	ChildKind   string
	ChildrenFor string
}

// Subscriptions stores room memberships.
type Subscriptions interface {
	Create(ctx context.Context, s *model.Subscription) error
	Update(ctx context.Context, s *model.Subscription) error
	Delete(ctx context.Context, rid, userID string) error
	DeleteByRoom(ctx context.Context, rid string) error
	DeleteByUser(ctx context.Context, userID string) error
	Get(ctx context.Context, rid, userID string) (*model.Subscription, error)
	// Exists reports whether userID is subscribed to rid, reading only the
	// index. A store may answer a yes from memory.
	Exists(ctx context.Context, rid, userID string) (bool, error)
	// MemberHint is Exists for a caller that writes on the strength of
	// its yes only through a write that requires the membership again
	// (NewPost.Member), or reads only through a listing that does
	// (MessageFilter.Guard): the yes may come from a memory that another
	// node has made stale.
	MemberHint(ctx context.Context, rid, userID string) (bool, error)
	// GetForUpdate is Get that also locks the row until the transaction
	// ends, for read-modify-write of a subscription.
	GetForUpdate(ctx context.Context, rid, userID string) (*model.Subscription, error)
	ListByUser(ctx context.Context, userID string, updatedSince model.Time) ([]*model.Subscription, error)
	ListByRoom(ctx context.Context, rid string, opts ListOptions) ([]*model.Subscription, int, error)
	// NotifyMessage applies a new message's unread, mention, alert and open
	// changes to the other members' subscriptions without reading them. It
	// takes two statements when users are mentioned, so it belongs in the
	// transaction that saves the message.
	NotifyMessage(ctx context.Context, rid string, n MessageNotice) error
	// MarkRead sets ls and open, zeroes unread and mention counters, and
	// clears alert (unless keepAlert).
	MarkRead(ctx context.Context, rid, userID string, ls model.Time, keepAlert bool) error
}

// Setting is a stored setting value (JSON-encoded).
type Setting struct {
	ID    string
	Value []byte
}

// Settings stores values of settings that differ from their defaults.
type Settings interface {
	All(ctx context.Context) ([]Setting, error)
	Set(ctx context.Context, id string, value []byte) error
}

// Permission is a permission and the roles that hold it.
type Permission struct {
	ID        string
	Roles     []string
	UpdatedAt model.Time
}

// Permissions stores the role table.
type Permissions interface {
	All(ctx context.Context) ([]Permission, error)
	// Seed inserts permissions that do not exist yet, leaving changed ones alone.
	Seed(ctx context.Context, defaults []Permission) error
	Set(ctx context.Context, id string, roles []string) error
}

// MessageNotice says how a new message changes the other members'
// subscriptions: everyone but the sender gets alert and open; the counters
// grow as Rocket.Chat's Unread_Count settings decide.
type MessageNotice struct {
	Sender string
	// Mentioned users get UnreadMentioned added to unread and one user mention.
	Mentioned       []string
	UnreadMentioned int
	// Group (@all/@here, and no user mentioned) gives every other member
	// one group mention and UnreadGroup.
	Group       bool
	UnreadGroup int
	// UnreadOthers is added for members neither mentioned nor group-mentioned.
	UnreadOthers int
	Now          model.Time
}

// NewPost is a message for Messages.Post.
type NewPost struct {
	// Message is saved with Ts and UpdatedAt set to the room's next ts
	// at or after Want.
	Message *model.Message
	Want    model.Time
	// Last makes the message the room's lastMessage.
	Last bool
	// Notice, when set, flags the other members' subscriptions.
	Notice *MessageNotice
	// Member, when set, is a user who must still be subscribed to the
	// room when the message is written.
	Member string
	// RoomHint says the room was read through Rooms.GetHint: the message
	// is written only while the room is still what that answered.
	RoomHint bool
	// Session, when set, is a login the message is written only while it
	// still holds; otherwise Post answers ErrChanged.
	Session *SessionGuard
}

// MessageFilter selects messages. Zero fields do not filter.
type MessageFilter struct {
	RID           string
	IDs           []string
	ExcludeHidden bool
	ExcludeTypes  []string
	UserMessages  bool     // no system messages (t empty)
	UserIDs       []string // written by one of these users
	Pinned        bool
	StarredBy     string // user id
	MentionedUser string // username
	// MentionedAny and StarredByAny match messages mentioning any of these
	// usernames, or starred by any of these user ids.
	MentionedAny  []string
	StarredByAny  []string
	TMID          string
	ThreadParents bool // tcount > 0
	Discussions   bool // drid set
	// RoomVisible leaves out thread replies not also shown in the room.
	RoomVisible   bool
	UpdatedAfter  model.Time
	UpdatedBefore model.Time
	TsAfter       model.Time
	TsBefore      model.Time
	TsInclusive   bool // TsAfter/TsBefore include the bound
	// TextContains matches msg case-insensitively.
	TextContains string
	// Guard, when set, makes the listing answer nothing unless what it
	// names still holds as the listing reads: for a reader that checked
	// its access on hints (Rooms.GetHint, Subscriptions.MemberHint) and
	// checks again on fresh reads when nothing comes back. A store whose
	// hints are never stale may ignore it.
	Guard *ReadGuard
}

// ReadGuard is what a guarded listing requires of MessageFilter.RID.
type ReadGuard struct {
	// RoomType is the type the room must still have.
	RoomType string
	// Member is a user who must still be subscribed to the room.
	Member string
	// Session is a login that must still hold. Unlike the others, every
	// store requires it: sessions are remembered above the store.
	Session *SessionGuard
}

// SessionGuard is a login as Tokens.Session found it: the token (its
// stored form) still names the user, who is still active and unchanged.
type SessionGuard struct {
	UserID        string
	HashedToken   string
	UserUpdatedAt model.Time
}

// TrashFilter selects hard-deleted messages.
type TrashFilter struct {
	RID           string
	TMID          string
	ThreadParents bool
	DeletedAfter  model.Time
	DeletedBefore model.Time
}

// Messages stores messages, their trash, and reports about them.
type Messages interface {
	// Insert stores a new message; ErrConflict if its id is taken.
	Insert(ctx context.Context, m *model.Message) error
	// Post saves a new message with its effects on the room and the
	// members' subscriptions, atomically: the room's next ts (set on the
	// message), the insert, the room's counters and NotifyMessage. It
	// writes nothing and answers ErrChanged when the room is gone or
	// p.Member is no longer subscribed to it; ErrConflict if the id is
	// taken.
	Post(ctx context.Context, p NewPost) error
	Get(ctx context.Context, id string) (*model.Message, error)
	// GetForUpdate is Get that locks the row until the transaction ends.
	GetForUpdate(ctx context.Context, id string) (*model.Message, error)
	// Update rewrites a message's document; counters (tcount, tlm, dcount,
	// dlm) are left as stored.
	Update(ctx context.Context, m *model.Message) error
	Delete(ctx context.Context, id string) error
	DeleteByRoom(ctx context.Context, rid string) error
	// List returns matching messages, newest first unless opts sorts.
	List(ctx context.Context, f MessageFilter, opts ListOptions) ([]*model.Message, error)
	// ListJSON is List for reading only: each message as its stored JSON
	// with the counter columns merged in, never decoded.
	ListJSON(ctx context.Context, f MessageFilter, opts ListOptions) ([]MessageJSON, error)
	Count(ctx context.Context, f MessageFilter) (int, error)
	// Search finds messages matching any of terms in the full-text index,
	// with Score set; the newest first unless opts sorts.
	Search(ctx context.Context, f MessageFilter, terms []string, opts ListOptions) ([]*model.Message, error)
	// Trash keeps a copy of a hard-deleted message, with DeletedAt set.
	Trash(ctx context.Context, m *model.Message) error
	// ListTrash returns trashed messages, newest deletion last unless opts sorts.
	ListTrash(ctx context.Context, f TrashFilter, opts ListOptions) ([]*model.Message, int, error)
	// Report stores a moderation report.
	Report(ctx context.Context, r *model.Report) error
}

// Bans stores who is banned from which room.
type Bans interface {
	// Add stores a ban; ErrConflict if the user is banned from the room
	// already.
	Add(ctx context.Context, b *model.Ban) error
	// Remove lifts a ban; ErrNotFound if there is none.
	Remove(ctx context.Context, rid, userID string) error
	Exists(ctx context.Context, rid, userID string) (bool, error)
	// ListByRoom returns a room's bans, oldest first, and their total.
	ListByRoom(ctx context.Context, rid string, opts ListOptions) ([]*model.Ban, int, error)
	DeleteByRoom(ctx context.Context, rid string) error
}

// InviteMatch selects a reusable invite: the same creator, room, days and
// maxUses, neither expired at Now nor used up.
type InviteMatch struct {
	UserID  string
	RID     string
	Days    int
	MaxUses int
	Now     model.Time
}

// Invites stores invite links.
type Invites interface {
	Create(ctx context.Context, inv *model.Invite) error
	Get(ctx context.Context, id string) (*model.Invite, error)
	GetByToken(ctx context.Context, token string) (*model.Invite, error)
	// FindReusable returns the newest invite matching m; ErrNotFound if none.
	FindReusable(ctx context.Context, m InviteMatch) (*model.Invite, error)
	// List returns every invite, oldest first.
	List(ctx context.Context) ([]*model.Invite, error)
	Delete(ctx context.Context, id string) error
	DeleteByRoom(ctx context.Context, rid string) error
	// AddUse counts one use of invite id; ErrNotFound if it is gone or used
	// up (maxUses > 0 and uses >= maxUses), so that concurrent uses never
	// pass the limit.
	AddUse(ctx context.Context, id string, now model.Time) error
}

// RoomExports stores the records of message archives built by rooms.export.
type RoomExports interface {
	Create(ctx context.Context, e *model.RoomExport) error
	Get(ctx context.Context, id string) (*model.RoomExport, error)
	// ListCreatedBefore returns the archives made before t.
	ListCreatedBefore(ctx context.Context, t model.Time) ([]*model.RoomExport, error)
	Delete(ctx context.Context, id string) error
}
