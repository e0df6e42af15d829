// Package model holds Parley's domain types. Their JSON tags are Rocket.Chat's
// wire names, so the API layer can encode them without a second set of types.
package model

import (
	"crypto/rand"
	"sort"
	"strings"
)

// idAlphabet is Meteor's "unmistakable" alphabet: clients and integrations
// sometimes validate id shape, so Parley draws ids from the same characters.
const idAlphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"

// IDLength is the length of a random Meteor-style id.
const IDLength = 17

// NewID returns a random 17-character id. Rejection sampling keeps every
// character equally likely.
func NewID() string {
	const n = len(idAlphabet)
	const limit = 256 - 256%n
	out := make([]byte, 0, IDLength)
	buf := make([]byte, 32)
	for len(out) < IDLength {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, idAlphabet[int(b)%n])
			if len(out) == IDLength {
				break
			}
		}
	}
	return string(out)
}

// DirectRoomID is the id of the 1:1 direct room between two users: their ids
// sorted and joined, as Rocket.Chat does, so both sides find the same room.
func DirectRoomID(a, b string) string {
	ids := []string{a, b}
	sort.Strings(ids)
	return strings.Join(ids, "")
}
