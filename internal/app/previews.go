package app

import "github.com/parleychat/parley/internal/model"

// afterCommit starts the asynchronous work on a message that was just
// saved or edited (URL previews, translation). It never blocks the caller.
func (a *App) afterCommit(m *model.Message, edited bool) {}
