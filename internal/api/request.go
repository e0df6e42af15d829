package api

import "reflect"

// bindBody validates the JSON or form body against dst's schema (see
// shape.go) and decodes it into dst.
func (c *request) bindBody(dst any) error {
	body, err := readBody(c.r)
	if err != nil {
		return err
	}
	return c.decodeBody(body, dst)
}

// decodeBody is bindBody for a body read with readBody. A JSON body keeps
// the types its client gave (a string is not a list of one); form input
// cannot tell them apart, so it is coerced.
func (c *request) decodeBody(body map[string]any, dst any) error {
	return decodeTyped(body, !isFormBody(c.r), dst)
}

// bindQuery validates the query string against dst's schema (pagination
// keys are always allowed) and decodes it into dst.
func (c *request) bindQuery(dst any) error {
	sh := shapeOf(reflect.TypeOf(dst).Elem())
	raw := c.r.URL.Query()
	q := valuesToMap(raw)
	// Naming the room twice is refused before anything else is looked at.
	if err := sh.checkExclusive(q); err != nil {
		return err
	}
	if hasNUL(raw) {
		return errNUL
	}
	for _, k := range []string{"offset", "count", "sort", "fields", "query"} {
		if _, declared := sh.props[k]; !declared {
			delete(q, k)
		}
	}
	return decode(q, dst)
}

// bindClosedQuery is bindQuery for the chat.* routes Rocket.Chat
// validates with closed schemas: there a pagination key the schema does not
// declare (fields, query, or sort on chat.search) is refused as well.
func (c *request) bindClosedQuery(dst any) error {
	raw := c.r.URL.Query()
	if hasNUL(raw) {
		return errNUL
	}
	return decode(valuesToMap(raw), dst)
}

// queryPage is bindQuery followed by page, for the listings.
func (c *request) queryPage(dst any) (page, error) {
	if err := c.bindQuery(dst); err != nil {
		return page{}, err
	}
	return c.page()
}

// closedQueryPage is bindClosedQuery followed by page.
func (c *request) closedQueryPage(dst any) (page, error) {
	if err := c.bindClosedQuery(dst); err != nil {
		return page{}, err
	}
	return c.page()
}

// page parses the pagination parameters of the query string.
func (c *request) page() (page, error) { return parsePage(c.r.URL.Query(), c.s.app.Settings) }

// fromBody makes a handler of h, which takes its input already bound: the
// body, checked against In's schema and decoded into a fresh In as bindBody
// does. A request that does not bind is answered with that error, and h
// is not called.
func fromBody[In any](h func(c *request, in *In) (any, error)) handlerFunc {
	return bound((*request).bindBody, h)
}

// fromQuery is fromBody for the query string, bound as bindQuery does.
func fromQuery[In any](h func(c *request, in *In) (any, error)) handlerFunc {
	return bound((*request).bindQuery, h)
}

// fromClosedQuery is fromBody for the query string, bound as
// bindClosedQuery does.
func fromClosedQuery[In any](h func(c *request, in *In) (any, error)) handlerFunc {
	return bound((*request).bindClosedQuery, h)
}

// fromQueryPage is fromQuery for the listings: h gets the page asked for
// as well (see queryPage).
func fromQueryPage[In any](h func(c *request, in *In, p page) (any, error)) handlerFunc {
	return boundPage((*request).queryPage, h)
}

// fromClosedQueryPage is fromQueryPage with the query bound as
// closedQueryPage does.
func fromClosedQueryPage[In any](h func(c *request, in *In, p page) (any, error)) handlerFunc {
	return boundPage((*request).closedQueryPage, h)
}

// bound is boundPage for the handlers that take no page.
func bound[In any](bind func(c *request, dst any) error, h func(c *request, in *In) (any, error)) handlerFunc {
	return boundPage(func(c *request, dst any) (page, error) { return page{}, bind(c, dst) },
		func(c *request, in *In, _ page) (any, error) { return h(c, in) })
}

// boundPage binds each request into a fresh In (and a page) with bind, and
// calls h with them.
func boundPage[In any](bind func(c *request, dst any) (page, error), h func(c *request, in *In, p page) (any, error)) handlerFunc {
	return func(c *request) (any, error) {
		var in In
		p, err := bind(c, &in)
		if err != nil {
			return nil, err
		}
		return h(c, &in, p)
	}
}
