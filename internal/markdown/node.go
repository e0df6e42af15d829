package markdown

// kind identifies a node of the md tree. The JSON "type" strings are the
// ones Rocket.Chat clients switch on.
type kind uint8

const (
	kPlain kind = iota
	kParagraph
	kBold
	kItalic
	kStrike
	kSpoiler
	kInlineCode
	kCode
	kCodeLine
	kLink
	kImage
	kMentionUser
	kMentionChannel
	kEmoji
	kBigEmoji
	kQuote
	kSpoilerBlock
	kHeading
	kOrderedList
	kUnorderedList
	kListItem
	kTasks
	kTask
	kColor
	kKatex
	kInlineKatex
	kLineBreak
	kHorizontalRule
	kTable
	kTableRow
	kTableCell
	kTimestamp
	// kFragment is never serialised: the JS italic rule sometimes yields a
	// bare array instead of a node, and the next reducePlainTexts splices
	// it into its parent list. A fragment models that array.
	kFragment
)

var kindNames = [...]string{
	kPlain:          "PLAIN_TEXT",
	kParagraph:      "PARAGRAPH",
	kBold:           "BOLD",
	kItalic:         "ITALIC",
	kStrike:         "STRIKE",
	kSpoiler:        "SPOILER",
	kInlineCode:     "INLINE_CODE",
	kCode:           "CODE",
	kCodeLine:       "CODE_LINE",
	kLink:           "LINK",
	kImage:          "IMAGE",
	kMentionUser:    "MENTION_USER",
	kMentionChannel: "MENTION_CHANNEL",
	kEmoji:          "EMOJI",
	kBigEmoji:       "BIG_EMOJI",
	kQuote:          "QUOTE",
	kSpoilerBlock:   "SPOILER_BLOCK",
	kHeading:        "HEADING",
	kOrderedList:    "ORDERED_LIST",
	kUnorderedList:  "UNORDERED_LIST",
	kListItem:       "LIST_ITEM",
	kTasks:          "TASKS",
	kTask:           "TASK",
	kColor:          "COLOR",
	kKatex:          "KATEX",
	kInlineKatex:    "INLINE_KATEX",
	kLineBreak:      "LINE_BREAK",
	kHorizontalRule: "HORIZONTAL_RULE",
	kTable:          "TABLE",
	kTableRow:       "TABLE_ROW",
	kTableCell:      "TABLE_CELL",
	kTimestamp:      "TIMESTAMP",
	kFragment:       "FRAGMENT",
}

// node is one element of the tree. Nodes are immutable once built: parse
// results are memoised and shared, so every transformation copies.
//
// Field use by kind:
//   - text: PLAIN_TEXT/KATEX/INLINE_KATEX value, EMOJI shortCode or unicode,
//     CODE language, TIMESTAMP timestamp, TABLE_CELL align
//   - kids: array values, LINK label, TABLE header
//   - sub: single-node values (INLINE_CODE, CODE_LINE, mentions, EMOJI value,
//     LINK/IMAGE src)
//   - flag: LIST_ITEM has a number; TASK status
//   - format: TIMESTAMP format letter
//   - ext: the fields few kinds need, kept out of line so that the many
//     plain-text nodes stay small
type node struct {
	kind   kind
	flag   bool
	format byte
	text   []uint16
	kids   []*node
	sub    *node
	ext    *nodeExt
}

type nodeExt struct {
	rows []*node  // TABLE rows
	sub2 *node    // IMAGE label
	num  float64  // HEADING level, LIST_ITEM number
	rng  [2]int   // fallback source range (HORIZONTAL_RULE, TABLE, TIMESTAMP)
	rgba [4]uint8 // COLOR channels
}

func plain(t []uint16) *node { return &node{kind: kPlain, text: t} }

func plainStr(s string) *node { return &node{kind: kPlain, text: utf16Of(s)} }

func withKids(k kind, kids []*node) *node { return &node{kind: k, kids: kids} }

func paragraph(kids []*node) *node { return withKids(kParagraph, kids) }

func link(src []uint16, label []*node) *node {
	if label == nil {
		label = []*node{plain(src)}
	}
	return &node{kind: kLink, sub: plain(src), kids: label}
}

func emojiShortcode(name []uint16) *node {
	return &node{kind: kEmoji, sub: plain(name), text: name}
}

func emoticonNode(text []uint16, shortCode string) *node {
	return &node{kind: kEmoji, sub: plain(text), text: utf16Of(shortCode)}
}

func emojiUnicode(u []uint16) *node { return &node{kind: kEmoji, text: u} }

// isEmoticon tells an emoticon EMOJI (value is the ASCII text) from a
// shortcode one (value equals the shortCode); reducePlainTexts treats them
// differently.
func (n *node) isEmoticon() bool { return !equalU16(n.text, n.sub.text) }
