package app

import (
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/vector"
)

// maxSVGBytes bounds the SVG documents Parley reads to draw a thumbnail.
const maxSVGBytes = 2 << 20

// maxSVGElements bounds the shapes drawn for one thumbnail.
const maxSVGElements = 1000

var errSVGUnsupported = errors.New("svg: unsupported content")

// rasterSVG draws an SVG document scaled to fit a w×h box. It knows a
// plain subset: <svg>, <g>, <path>, <rect>, <circle>, <ellipse>,
// <polygon> with solid fills (no strokes, transforms, styles, gradients or
// arcs). Anything else is an error rather than a wrong picture, and the
// upload then simply has no thumbnail.
func rasterSVG(r io.Reader, w, h int) (image.Image, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var (
		dst   *image.RGBA
		ras   = &vector.Rasterizer{}
		tf    svgTransform
		fills []svgPaint // the inherited fill of each open element
		depth int        // the elements inside an ignored one
		count int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 {
				depth++
				continue
			}
			if count++; count > maxSVGElements {
				return nil, errSVGUnsupported
			}
			attrs := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space != "" && a.Name.Space != "http://www.w3.org/2000/svg" {
					continue // xlink, sodipodi and other editors' notes
				}
				attrs[a.Name.Local] = a.Value
			}
			if dst == nil {
				if t.Name.Local != "svg" {
					return nil, errSVGUnsupported
				}
				dst, tf, err = svgCanvas(attrs, w, h)
				if err != nil {
					return nil, err
				}
				paint, err := svgFill(attrs, svgPaint{c: color.NRGBA{A: 255}})
				if err != nil {
					return nil, err
				}
				fills = append(fills, paint)
				continue
			}
			if t.Name.Space != "" && t.Name.Space != "http://www.w3.org/2000/svg" {
				depth = 1 // an editor's own element
				continue
			}
			switch t.Name.Local {
			case "title", "desc", "metadata":
				depth = 1
				continue
			}
			for _, bad := range []string{"transform", "style", "stroke", "clip-path", "mask", "filter", "fill-rule", "class"} {
				if v, ok := attrs[bad]; ok && !(bad == "stroke" && v == "none") && !(bad == "fill-rule" && v == "nonzero") {
					return nil, errSVGUnsupported
				}
			}
			paint, err := svgFill(attrs, fills[len(fills)-1])
			if err != nil {
				return nil, err
			}
			fills = append(fills, paint)
			if t.Name.Local == "g" {
				continue
			}
			ras.Reset(dst.Bounds().Dx(), dst.Bounds().Dy())
			if err := svgShape(ras, t.Name.Local, attrs, tf); err != nil {
				return nil, err
			}
			if paint.c.A > 0 {
				ras.Draw(dst, dst.Bounds(), image.NewUniform(paint.c), image.Point{})
			}
		case xml.EndElement:
			if depth > 0 {
				depth--
				continue
			}
			if len(fills) > 0 {
				fills = fills[:len(fills)-1]
			}
		}
	}
	if dst == nil {
		return nil, errSVGUnsupported
	}
	return dst, nil
}

// svgTransform maps user units to pixels.
type svgTransform struct{ sx, sy, dx, dy float64 }

func (t svgTransform) pt(x, y float64) (float32, float32) {
	return float32(x*t.sx + t.dx), float32(y*t.sy + t.dy)
}

// svgCanvas sizes the picture: the document's width and height (else its
// viewBox), scaled to fit w×h; the viewBox is centred in it, keeping its
// proportions, as preserveAspectRatio's default does.
func svgCanvas(attrs map[string]string, w, h int) (*image.RGBA, svgTransform, error) {
	var vb []float64
	if v, ok := attrs["viewBox"]; ok {
		nums, err := svgNumbers(v)
		if err != nil || len(nums) != 4 || nums[2] <= 0 || nums[3] <= 0 {
			return nil, svgTransform{}, errSVGUnsupported
		}
		vb = nums
	}
	width, okW := svgLength(attrs["width"])
	height, okH := svgLength(attrs["height"])
	switch {
	case okW && okH:
	case vb != nil:
		width, height = vb[2], vb[3]
	default:
		return nil, svgTransform{}, errSVGUnsupported
	}
	if vb == nil {
		vb = []float64{0, 0, width, height}
	}
	scale := math.Min(float64(w)/width, float64(h)/height)
	pw := max(1, int(math.Round(width*scale)))
	ph := max(1, int(math.Round(height*scale)))
	s := math.Min(float64(pw)/vb[2], float64(ph)/vb[3])
	tf := svgTransform{sx: s, sy: s,
		dx: (float64(pw)-vb[2]*s)/2 - vb[0]*s,
		dy: (float64(ph)-vb[3]*s)/2 - vb[1]*s}
	return image.NewRGBA(image.Rect(0, 0, pw, ph)), tf, nil
}

// svgLength reads a width or height in user units or px.
func svgLength(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v > 0 && v < 1e6
}

type svgPaint struct{ c color.NRGBA }

// svgFill is an element's fill: its own fill, fill-opacity and opacity
// over the inherited one. Only solid colours are drawn.
func svgFill(attrs map[string]string, inherited svgPaint) (svgPaint, error) {
	p := inherited
	if v, ok := attrs["fill"]; ok {
		c, err := svgColor(v)
		if err != nil {
			return p, err
		}
		p.c = c
	}
	for _, k := range []string{"fill-opacity", "opacity"} {
		if v, ok := attrs[k]; ok {
			o, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return p, errSVGUnsupported
			}
			p.c.A = uint8(math.Round(float64(p.c.A) * math.Max(0, math.Min(1, o))))
		}
	}
	return p, nil
}

var svgNamedColors = map[string]color.NRGBA{
	"black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {255, 0, 0, 255},
	"green": {0, 128, 0, 255}, "blue": {0, 0, 255, 255}, "gray": {128, 128, 128, 255},
	"grey": {128, 128, 128, 255}, "yellow": {255, 255, 0, 255}, "transparent": {},
}

func svgColor(s string) (color.NRGBA, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "none" {
		return color.NRGBA{}, nil
	}
	if c, ok := svgNamedColors[s]; ok {
		return c, nil
	}
	if strings.HasPrefix(s, "#") {
		hex := s[1:]
		if len(hex) == 3 {
			hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
		}
		if len(hex) != 6 {
			return color.NRGBA{}, errSVGUnsupported
		}
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			return color.NRGBA{}, errSVGUnsupported
		}
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
	}
	if strings.HasPrefix(s, "rgb(") && strings.HasSuffix(s, ")") {
		nums, err := svgNumbers(s[4 : len(s)-1])
		if err != nil || len(nums) != 3 {
			return color.NRGBA{}, errSVGUnsupported
		}
		c := color.NRGBA{A: 255}
		for i, n := range nums {
			v := uint8(math.Max(0, math.Min(255, n)))
			switch i {
			case 0:
				c.R = v
			case 1:
				c.G = v
			default:
				c.B = v
			}
		}
		return c, nil
	}
	return color.NRGBA{}, errSVGUnsupported
}

// svgNumbers splits a list of numbers separated by spaces or commas.
func svgNumbers(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, errSVGUnsupported
		}
		out = append(out, v)
	}
	return out, nil
}

// svgShape adds one basic shape's outline to ras.
func svgShape(ras *vector.Rasterizer, name string, attrs map[string]string, tf svgTransform) error {
	num := func(k string) float64 {
		v, _ := strconv.ParseFloat(strings.TrimSpace(attrs[k]), 64)
		return v
	}
	switch name {
	case "path":
		return svgPath(ras, attrs["d"], tf)
	case "rect":
		if attrs["rx"] != "" || attrs["ry"] != "" {
			return errSVGUnsupported
		}
		x, y, w, h := num("x"), num("y"), num("width"), num("height")
		ras.MoveTo(tf.pt(x, y))
		ras.LineTo(tf.pt(x+w, y))
		ras.LineTo(tf.pt(x+w, y+h))
		ras.LineTo(tf.pt(x, y+h))
		ras.ClosePath()
	case "circle", "ellipse":
		cx, cy := num("cx"), num("cy")
		rx, ry := num("rx"), num("ry")
		if name == "circle" {
			rx, ry = num("r"), num("r")
		}
		// Four cubic quarter arcs.
		const k = 0.5522847498
		ras.MoveTo(tf.pt(cx+rx, cy))
		ras.CubeTo(pt3(tf, cx+rx, cy+k*ry, cx+k*rx, cy+ry, cx, cy+ry))
		ras.CubeTo(pt3(tf, cx-k*rx, cy+ry, cx-rx, cy+k*ry, cx-rx, cy))
		ras.CubeTo(pt3(tf, cx-rx, cy-k*ry, cx-k*rx, cy-ry, cx, cy-ry))
		ras.CubeTo(pt3(tf, cx+k*rx, cy-ry, cx+rx, cy-k*ry, cx+rx, cy))
		ras.ClosePath()
	case "polygon":
		nums, err := svgNumbers(attrs["points"])
		if err != nil || len(nums) < 4 || len(nums)%2 != 0 {
			return errSVGUnsupported
		}
		ras.MoveTo(tf.pt(nums[0], nums[1]))
		for i := 2; i < len(nums); i += 2 {
			ras.LineTo(tf.pt(nums[i], nums[i+1]))
		}
		ras.ClosePath()
	default:
		return errSVGUnsupported
	}
	return nil
}

func pt3(tf svgTransform, x1, y1, x2, y2, x, y float64) (float32, float32, float32, float32, float32, float32) {
	ax, ay := tf.pt(x1, y1)
	bx, by := tf.pt(x2, y2)
	cx, cy := tf.pt(x, y)
	return ax, ay, bx, by, cx, cy
}

// svgPath adds path data (M L H V C S Q T Z, absolute and relative) to
// ras. Arcs are not drawn.
func svgPath(ras *vector.Rasterizer, d string, tf svgTransform) error {
	p := &svgPathReader{s: d}
	var (
		cmd            byte
		x, y, sx, sy   float64 // current point, subpath start
		cx, cy         float64 // the last control point, for S and T
		prev           byte
		started, empty = false, true
	)
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			break
		}
		if c := p.s[p.i]; strings.IndexByte("MmLlHhVvCcSsQqTtZz", c) >= 0 {
			cmd = c
			p.i++
		} else if strings.IndexByte("Aa", c) >= 0 || cmd == 0 {
			return errSVGUnsupported
		}
		rel := cmd >= 'a'
		ox, oy := 0.0, 0.0
		if rel {
			ox, oy = x, y
		}
		switch cmd | 0x20 {
		case 'z':
			if started {
				ras.ClosePath()
			}
			x, y = sx, sy
			cx, cy = x, y
			prev = 'z'
			continue
		case 'm':
			n, err := p.numbers(2)
			if err != nil {
				return err
			}
			x, y = ox+n[0], oy+n[1]
			sx, sy = x, y
			ras.MoveTo(tf.pt(x, y))
			started, empty = true, false
			// Further pairs are implicit line-tos.
			if rel {
				cmd = 'l'
			} else {
				cmd = 'L'
			}
		case 'l':
			n, err := p.numbers(2)
			if err != nil {
				return err
			}
			x, y = ox+n[0], oy+n[1]
			ras.LineTo(tf.pt(x, y))
		case 'h':
			n, err := p.numbers(1)
			if err != nil {
				return err
			}
			x = ox + n[0]
			ras.LineTo(tf.pt(x, y))
		case 'v':
			n, err := p.numbers(1)
			if err != nil {
				return err
			}
			y = oy + n[0]
			ras.LineTo(tf.pt(x, y))
		case 'c':
			n, err := p.numbers(6)
			if err != nil {
				return err
			}
			ras.CubeTo(pt3(tf, ox+n[0], oy+n[1], ox+n[2], oy+n[3], ox+n[4], oy+n[5]))
			cx, cy = ox+n[2], oy+n[3]
			x, y = ox+n[4], oy+n[5]
		case 's':
			n, err := p.numbers(4)
			if err != nil {
				return err
			}
			rx, ry := x, y
			if prev == 'c' || prev == 's' {
				rx, ry = 2*x-cx, 2*y-cy
			}
			ras.CubeTo(pt3(tf, rx, ry, ox+n[0], oy+n[1], ox+n[2], oy+n[3]))
			cx, cy = ox+n[0], oy+n[1]
			x, y = ox+n[2], oy+n[3]
		case 'q':
			n, err := p.numbers(4)
			if err != nil {
				return err
			}
			ax, ay := tf.pt(ox+n[0], oy+n[1])
			bx, by := tf.pt(ox+n[2], oy+n[3])
			ras.QuadTo(ax, ay, bx, by)
			cx, cy = ox+n[0], oy+n[1]
			x, y = ox+n[2], oy+n[3]
		case 't':
			n, err := p.numbers(2)
			if err != nil {
				return err
			}
			rx, ry := x, y
			if prev == 'q' || prev == 't' {
				rx, ry = 2*x-cx, 2*y-cy
			}
			ax, ay := tf.pt(rx, ry)
			bx, by := tf.pt(ox+n[0], oy+n[1])
			ras.QuadTo(ax, ay, bx, by)
			cx, cy = rx, ry
			x, y = ox+n[0], oy+n[1]
		}
		if empty {
			return errSVGUnsupported // drawing before any moveto
		}
		prev = cmd | 0x20
	}
	if started {
		ras.ClosePath()
	}
	return nil
}

// svgPathReader reads the numbers of path data, which may run together
// ("1.5.5", "1-2").
type svgPathReader struct {
	s string
	i int
}

func (p *svgPathReader) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n,", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *svgPathReader) numbers(n int) ([]float64, error) {
	out := make([]float64, n)
	for k := range out {
		p.skipSpace()
		start := p.i
		if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
			p.i++
		}
		dot, digits := false, false
		for p.i < len(p.s) {
			c := p.s[p.i]
			switch {
			case c >= '0' && c <= '9':
				digits = true
			case c == '.' && !dot:
				dot = true
			case (c == 'e' || c == 'E') && digits:
				p.i++
				if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
					p.i++
				}
				continue
			default:
				goto done
			}
			p.i++
		}
	done:
		v, err := strconv.ParseFloat(p.s[start:p.i], 64)
		if err != nil || !digits {
			return nil, errSVGUnsupported
		}
		out[k] = v
	}
	return out, nil
}
