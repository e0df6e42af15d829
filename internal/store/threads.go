package store

// Threads keeps thread and discussion bookkeeping on messages and
// subscriptions.
type Threads interface{}

// Receipts stores read receipts.
type Receipts interface{}
