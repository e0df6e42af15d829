package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"net/url"

	"golang.org/x/image/draw"

	"github.com/parleychat/parley/internal/model"
)

// maxThumbSourcePixels bounds the images Parley decodes for a thumbnail:
// a small file can declare a huge canvas, and decoding allocates it.
const maxThumbSourcePixels = 25_000_000

// previewSize is the box of an attachment's image_preview.
const previewSize = 32

// imageExtras is what an image upload adds to its file message: a
// thumbnail upload (nil when none is made) and the tiny inline preview.
type imageExtras struct {
	thumb      *model.File
	thumbW     int
	thumbH     int
	previewB64 string
}

// imageExtras decodes an image upload and makes its thumbnail, stored as
// an upload of its own (typeGroup "thumb"), and its image_preview. Formats
// Parley cannot decode, and any failure, give no extras: the message then
// shows the original image.
func (a *App) imageExtras(ctx context.Context, f *model.File) imageExtras {
	var out imageExtras
	src := a.decodeUpload(ctx, f)
	if src == nil {
		return out
	}
	if p := previewJPEG(src); p != nil {
		out.previewB64 = base64.StdEncoding.EncodeToString(p)
	}
	if !a.Settings.Bool("Message_Attachments_Thumbnails_Enabled") {
		return out
	}
	maxW, maxH := a.Settings.Int("Message_Attachments_Thumbnails_Width"), a.Settings.Int("Message_Attachments_Thumbnails_Height")
	b := src.Bounds()
	if maxW <= 0 || maxH <= 0 || (f.Identify != nil && b.Dx() < maxW && b.Dy() < maxH) {
		return out
	}
	thumb := scaleInside(src, maxW, maxH)
	typ, format := "image/png", "png"
	var buf bytes.Buffer
	var err error
	if f.Type == "image/jpeg" {
		typ, format = "image/jpeg", "jpeg"
		err = jpeg.Encode(&buf, thumb, &jpeg.Options{Quality: 80})
	} else {
		err = png.Encode(&buf, thumb)
	}
	if err != nil {
		a.log.Warn("thumbnail: encode", "file_id", f.ID, "err", err)
		return out
	}
	now := a.now()
	name := "thumb-" + f.Name
	t := &model.File{
		ID: model.NewID(), Name: name, Type: typ, TypeGroup: "thumb", Extension: extension(name),
		RID: f.RID, UserID: f.UserID, Complete: true, Progress: 1,
		UploadedAt: now, UpdatedAt: now, OriginalFileID: f.ID,
		Identify: &model.FileIdentify{Format: format, Size: model.ImageSize{Width: thumb.Bounds().Dx(), Height: thumb.Bounds().Dy()}},
	}
	t.URL = "/file-upload/" + t.ID + "/" + url.PathEscape(name)
	t.Path = t.URL
	kind, size, digest, err := a.files.Put(ctx, t.ID, &buf, -1)
	if err != nil {
		a.log.Warn("thumbnail: store", "file_id", f.ID, "err", err)
		return out
	}
	t.Store, t.Size, t.ETag = kind+":Uploads", size, digest
	out.thumb, out.thumbW, out.thumbH = t, thumb.Bounds().Dx(), thumb.Bounds().Dy()
	return out
}

// decodeUpload decodes an image upload Parley can read: PNG, JPEG and GIF
// (its first frame), and SVG within the subset rasterSVG draws.
func (a *App) decodeUpload(ctx context.Context, f *model.File) image.Image {
	switch f.Type {
	case "image/png", "image/jpeg", "image/gif":
		if f.Identify == nil || f.Identify.Size.Width*f.Identify.Size.Height > maxThumbSourcePixels {
			return nil
		}
	case "image/svg+xml":
	default:
		return nil
	}
	obj, _, err := a.files.Open(ctx, storeKind(f.Store), f.ID)
	if err != nil {
		return nil
	}
	defer obj.Close()
	if f.Type == "image/svg+xml" {
		maxW, maxH := a.Settings.Int("Message_Attachments_Thumbnails_Width"), a.Settings.Int("Message_Attachments_Thumbnails_Height")
		img, err := rasterSVG(io.LimitReader(obj, maxSVGBytes), max(maxW, previewSize), max(maxH, previewSize))
		if err != nil {
			return nil
		}
		return img
	}
	img, _, err := image.Decode(obj)
	if err != nil {
		return nil
	}
	return img
}

// scaleInside scales src to fit a w×h box, keeping its proportions.
func scaleInside(src image.Image, w, h int) image.Image {
	b := src.Bounds()
	scale := math.Min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	nw := max(1, int(math.Round(float64(b.Dx())*scale)))
	nh := max(1, int(math.Round(float64(b.Dy())*scale)))
	if nw == b.Dx() && nh == b.Dy() {
		return src
	}
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// previewJPEG is the image shrunk into a 32×32 box as a JPEG, which
// clients show blurred while the image loads.
func previewJPEG(src image.Image) []byte {
	small := scaleInside(src, previewSize, previewSize)
	// JPEG has no alpha: draw transparent images on white.
	flat := image.NewRGBA(small.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), small, small.Bounds().Min, draw.Over)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 80}); err != nil {
		return nil
	}
	return buf.Bytes()
}
