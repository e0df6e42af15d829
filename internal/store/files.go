package store

// Files stores upload records.
type Files interface{}
