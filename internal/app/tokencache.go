package app

import (
	"sync"
	"time"
)

// tokenCache remembers for a moment which login tokens are valid, so that
// a busy client is not looked up in the database on every request. Removing
// a token on this node clears the cache at once; a token removed through
// another node stays usable here for at most tokenCacheTTL. Deactivated
// and deleted users are refused regardless: their user record is read on
// every request.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]time.Time // userID + "/" + hashed token → expiry
}

const (
	tokenCacheTTL = time.Second
	// tokenCacheMax bounds the memory: past it the cache starts afresh.
	tokenCacheMax = 100_000
)

func (c *tokenCache) valid(userID, hashed string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.m[userID+"/"+hashed]
	return ok && now.Before(exp)
}

func (c *tokenCache) remember(userID, hashed string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tokenCacheMax {
		c.m = map[string]time.Time{}
	}
	c.m[userID+"/"+hashed] = now.Add(tokenCacheTTL)
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
