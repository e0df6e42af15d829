package preview

import (
	"container/list"
	"sync"
	"time"
)

// cache is a size-bounded LRU of successful results. Entries carry the
// time they were stored rather than an expiry, so a changed CacheTTL
// applies to entries already in the cache.
type cache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key    string
	result Result
	stored time.Time
}

func newCache(max int) *cache {
	return &cache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *cache) get(key string, now time.Time, ttl time.Duration) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	e := el.Value.(*cacheEntry)
	if ttl <= 0 || now.Sub(e.stored) >= ttl {
		c.order.Remove(el)
		delete(c.items, key)
		return Result{}, false
	}
	c.order.MoveToFront(el)
	return e.result.clone(), true
}

func (c *cache) put(key string, r Result, now time.Time) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value = &cacheEntry{key: key, result: r.clone(), stored: now}
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key: key, result: r.clone(), stored: now})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *cache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
}
