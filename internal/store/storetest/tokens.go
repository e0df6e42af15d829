package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func newToken(userID, hash, kind, name string, sec int) *model.Token {
	return &model.Token{HashedToken: hash, UserID: userID, Type: kind, Name: name, CreatedAt: at(sec), LastTokenPart: hash[len(hash)-2:]}
}

func tokenHashes(ts []*model.Token) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.HashedToken)
	}
	return out
}

// createTokens stores toks in order, for tests that start from a set.
func createTokens(t *testing.T, s store.Store, toks ...*model.Token) {
	t.Helper()
	for _, tok := range toks {
		must(t, s.Tokens().Create(t.Context(), tok))
	}
}

// wantOwner checks whose token hash is; "" means no one's.
func wantOwner(t *testing.T, s store.Store, hash, want string) {
	t.Helper()
	owner, err := s.Tokens().Owner(t.Context(), hash)
	if want == "" {
		wantErr(t, err, store.ErrNotFound)
		return
	}
	must(t, err)
	wantEqual(t, "owner of "+hash, owner, want)
}

// listedTokens are the hashes of userID's tokens of kind, in the store's
// order, so that a test compares a listing in one line.
func listedTokens(t *testing.T, s store.Store, userID, kind string) []string {
	t.Helper()
	list, err := s.Tokens().ListByUser(t.Context(), userID, kind)
	must(t, err)
	return tokenHashes(list)
}

var tokenTests = []test{
	{"CreateGetOwner", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tok := newToken("u1", "hash-1", model.TokenPersonal, "ci", 1)
		tok.BypassTwoFactor = true
		must(t, s.Tokens().Create(ctx, tok))

		got, err := s.Tokens().Get(ctx, "u1", "hash-1")
		must(t, err)
		wantEqual(t, "Get", got, tok)
		wantOwner(t, s, "hash-1", "u1")

		_, err = s.Tokens().Get(ctx, "u2", "hash-1")
		wantErr(t, err, store.ErrNotFound)
		_, err = s.Tokens().Get(ctx, "u1", "hash-2")
		wantErr(t, err, store.ErrNotFound)
		wantOwner(t, s, "hash-2", "")

		// A hash is unique, whoever owns it.
		wantErr(t, s.Tokens().Create(ctx, newToken("u2", "hash-1", model.TokenLogin, "", 2)), store.ErrConflict)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createTokens(t, s,
			newToken("u1", "hash-1", model.TokenLogin, "", 1),
			newToken("u1", "hash-2", model.TokenLogin, "", 2),
		)

		// Another user cannot delete it.
		wantErr(t, s.Tokens().Delete(ctx, "u2", "hash-1"), store.ErrNotFound)
		must(t, s.Tokens().Delete(ctx, "u1", "hash-1"))
		wantErr(t, s.Tokens().Delete(ctx, "u1", "hash-1"), store.ErrNotFound)
		wantOwner(t, s, "hash-1", "")
		wantOwner(t, s, "hash-2", "u1")
	}},
	{"ListByUserAndKind", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createTokens(t, s,
			newToken("u1", "login-b", model.TokenLogin, "", 3),
			newToken("u1", "pat-1", model.TokenPersonal, "deploy", 2),
			newToken("u1", "login-a", model.TokenLogin, "", 1),
			newToken("u2", "login-c", model.TokenLogin, "", 0),
		)
		list, err := s.Tokens().ListByUser(ctx, "u1", model.TokenLogin)
		must(t, err)
		wantEqual(t, "login tokens, oldest first", tokenHashes(list), []string{"login-a", "login-b"})
		for _, tok := range list {
			wantEqual(t, "UserID of listed token", tok.UserID, "u1")
		}
		list, err = s.Tokens().ListByUser(ctx, "u1", model.TokenPersonal)
		must(t, err)
		wantEqual(t, "personal tokens", tokenHashes(list), []string{"pat-1"})
		wantEqual(t, "personal token name", list[0].Name, "deploy")
		wantEqual(t, "tokens of a user without any", listedTokens(t, s, "u3", model.TokenLogin), []string{})
	}},
	{"DeleteByName", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createTokens(t, s,
			newToken("u1", "pat-1", model.TokenPersonal, "deploy", 1),
			newToken("u1", "pat-2", model.TokenPersonal, "backup", 2),
			newToken("u2", "pat-3", model.TokenPersonal, "deploy", 3),
		)
		// A login token never matches by name.
		must(t, s.Tokens().Create(ctx, newToken("u1", "login-1", model.TokenLogin, "deploy2", 4)))

		must(t, s.Tokens().DeleteByName(ctx, "u1", "deploy"))
		wantErr(t, s.Tokens().DeleteByName(ctx, "u1", "deploy"), store.ErrNotFound)
		wantErr(t, s.Tokens().DeleteByName(ctx, "u1", "deploy2"), store.ErrNotFound)

		wantEqual(t, "u1's remaining personal tokens", listedTokens(t, s, "u1", model.TokenPersonal), []string{"pat-2"})
		wantEqual(t, "u2's personal tokens", listedTokens(t, s, "u2", model.TokenPersonal), []string{"pat-3"})
		wantEqual(t, "u1's login tokens", listedTokens(t, s, "u1", model.TokenLogin), []string{"login-1"})
	}},
	{"DeleteByUser", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createTokens(t, s,
			newToken("u1", "login-1", model.TokenLogin, "", 1),
			newToken("u1", "pat-1", model.TokenPersonal, "x", 2),
			newToken("u2", "login-2", model.TokenLogin, "", 3),
		)

		must(t, s.Tokens().DeleteByUser(ctx, "u1"))
		must(t, s.Tokens().DeleteByUser(ctx, "u1")) // nothing left: not an error
		for _, h := range []string{"login-1", "pat-1"} {
			wantOwner(t, s, h, "")
		}
		wantOwner(t, s, "login-2", "u2")
	}},
	{"DeleteLoginExcept", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createTokens(t, s,
			newToken("u1", "login-1", model.TokenLogin, "", 1),
			newToken("u1", "login-2", model.TokenLogin, "", 2),
			newToken("u1", "pat-1", model.TokenPersonal, "x", 3),
			newToken("u2", "login-3", model.TokenLogin, "", 4),
		)

		must(t, s.Tokens().DeleteLoginExcept(ctx, "u1", "login-2"))
		wantEqual(t, "u1's login tokens kept", listedTokens(t, s, "u1", model.TokenLogin), []string{"login-2"})
		wantEqual(t, "u1's personal tokens", listedTokens(t, s, "u1", model.TokenPersonal), []string{"pat-1"})

		must(t, s.Tokens().DeleteLoginExcept(ctx, "u1", ""))
		wantEqual(t, "u1's login tokens after all went", listedTokens(t, s, "u1", model.TokenLogin), []string{})
		wantOwner(t, s, "login-3", "u2")
	}},
	{"Session", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		u := newUser("sam", 1)
		must(t, s.Users().Create(ctx, u))
		must(t, s.Tokens().Create(ctx, newToken(u.ID, "login-1", model.TokenLogin, "", 1)))

		got, err := s.Tokens().Session(ctx, u.ID, "login-1")
		must(t, err)
		wantEqual(t, "Session", got, store.Session{Active: true, UserUpdatedAt: u.UpdatedAt})

		u.Active, u.UpdatedAt = false, u.UpdatedAt+5
		must(t, s.Users().Update(ctx, u))
		got, err = s.Tokens().Session(ctx, u.ID, "login-1")
		must(t, err)
		wantEqual(t, "Session of a deactivated user", got, store.Session{Active: false, UserUpdatedAt: u.UpdatedAt})

		_, err = s.Tokens().Session(ctx, "someone-else", "login-1")
		wantErr(t, err, store.ErrNotFound)
		_, err = s.Tokens().Session(ctx, u.ID, "login-2")
		wantErr(t, err, store.ErrNotFound)
		// A token whose user is gone is no session.
		must(t, s.Users().Delete(ctx, u.ID))
		_, err = s.Tokens().Session(ctx, u.ID, "login-1")
		wantErr(t, err, store.ErrNotFound)
	}},
}
