package api

// bindBody validates the JSON or form body against sc and decodes it into dst.
func (c *request) bindBody(sc schema, dst any) error {
	body, err := readBody(c.r)
	if err != nil {
		return err
	}
	return c.decodeBody(body, sc, dst)
}

// decodeBody is decode for a body read with readBody. A JSON body keeps
// the types its client gave (a string is not a list of one); form input
// cannot tell them apart, so it is coerced.
func (c *request) decodeBody(body map[string]any, sc schema, dst any) error {
	sc.typed = !isFormBody(c.r)
	return decode(body, sc, dst)
}

// bindQuery validates the query string against sc (pagination keys are
// always allowed) and decodes it into dst.
func (c *request) bindQuery(sc schema, dst any) error {
	raw := c.r.URL.Query()
	if hasNUL(raw) {
		return errNUL
	}
	q := valuesToMap(raw)
	for _, k := range []string{"offset", "count", "sort", "fields", "query"} {
		if _, declared := sc.props[k]; !declared {
			delete(q, k)
		}
	}
	return decode(q, sc, dst)
}

// page parses the pagination parameters of the query string.
func (c *request) page() (page, error) { return parsePage(c.r.URL.Query(), c.s.app.Settings) }
