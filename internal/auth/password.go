// Package auth holds Parley's credentials code (password hashing, login
// tokens) and the default role → permission table.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes passwords the way Meteor does: bcrypt over the hex SHA-256
// of the password, so that Rocket.Chat password hashes stay valid and clients
// may send the digest instead of the password.
type Hasher struct {
	Cost int // bcrypt cost; 0 means bcrypt.DefaultCost
}

// Digest is the hex SHA-256 of a plain password, the form clients may send.
func Digest(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

// HashDigest hashes a password given as its hex SHA-256 digest.
func (h Hasher) HashDigest(digest string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(strings.ToLower(digest)), cost)
	return string(b), err
}

// Hash hashes a plain password.
func (h Hasher) Hash(password string) (string, error) { return h.HashDigest(Digest(password)) }

// CheckDigest reports whether digest matches hash.
func CheckDigest(hash, digest string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(strings.ToLower(digest))) == nil
}

// ErrBadDigest is returned for a digest that is not hex SHA-256.
var ErrBadDigest = errors.New("password digest must be a hex SHA-256")

// ValidDigest reports whether s looks like a hex SHA-256.
func ValidDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// NewToken returns a random login token (43 URL-safe characters, as Meteor's).
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the stored form of a token: base64 of its SHA-256, as
// Meteor stores hashedToken. Only this ever reaches the database.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.StdEncoding.EncodeToString(sum[:])
}
