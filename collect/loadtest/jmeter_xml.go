package loadtest

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// xmlFrame is an open element of an XML JTL.
type xmlFrame struct {
	kind   xmlKind
	sample int // index in samples of a request
}

type xmlKind int

const (
	xmlOther       xmlKind = iota
	xmlRequest             // a top-level sample: a request
	xmlTransaction         // a Transaction Controller's sample: its children are the requests
	xmlSub                 // a sample nested in a request
	xmlFailure             // a request's assertion failureMessage
	xmlURL                 // a request's java.net.URL
)

// jmeterXML reads an XML JTL: <testResults> with <httpSample> or <sample>
// elements (attributes t, lt, ts, s, lb, rc, rm, dt, by, na). Samples
// nested in a request (redirects, embedded resources) are sub-samples; a
// Transaction Controller's sample is left out and its children counted.
func (r *reader) jmeterXML(t *tally) error {
	f, br, err := openText(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	d := xml.NewDecoder(br)
	d.CharsetReader = xmlCharset
	var stack []xmlFrame
	var samples []jtlSample
	subs := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			if len(samples) == 0 {
				return atLine(line, err)
			}
			r.warnf(line, "%v: the file ends in a half-written sample or is damaged; the rest is ignored", err)
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			fr := r.xmlStart(el, stack, &samples, d)
			if fr.kind == xmlSub {
				subs++
			}
			stack = append(stack, fr)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			xmlText(stack, samples, string(el))
		}
	}
	if len(samples) == 0 && subs == 0 {
		return errors.New("no <httpSample> or <sample> in the XML JTL")
	}
	for i := 0; i < subs; i++ {
		samples = append(samples, jtlSample{sub: true})
	}
	return r.jtlTally(samples, t, false)
}

// xmlStart classifies an element by its name and where it is.
func (r *reader) xmlStart(el xml.StartElement, stack []xmlFrame, samples *[]jtlSample, d *xml.Decoder) xmlFrame {
	inRequest := -1
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].kind == xmlRequest {
			inRequest = stack[i].sample
			break
		}
	}
	name := el.Name.Local
	isSample := name == "httpSample" || name == "sample"
	switch {
	case isSample && inRequest >= 0:
		return xmlFrame{kind: xmlSub}
	case isSample:
		line, _ := d.InputPos()
		s := r.xmlSample(el, line)
		if strings.HasPrefix(s.message, transactionPrefix) {
			*samples = append(*samples, s) // counted and left out by jtlTally
			return xmlFrame{kind: xmlTransaction}
		}
		*samples = append(*samples, s)
		return xmlFrame{kind: xmlRequest, sample: len(*samples) - 1}
	case inRequest >= 0 && name == "failureMessage":
		return xmlFrame{kind: xmlFailure, sample: inRequest}
	case inRequest >= 0 && name == "java.net.URL":
		return xmlFrame{kind: xmlURL, sample: inRequest}
	}
	return xmlFrame{kind: xmlOther}
}

// xmlText keeps the first assertion failure message and the URL of the
// request being read.
func xmlText(stack []xmlFrame, samples []jtlSample, text string) {
	if len(stack) == 0 {
		return
	}
	fr := stack[len(stack)-1]
	switch fr.kind {
	case xmlFailure:
		if s := &samples[fr.sample]; s.failMsg == "" {
			s.failMsg = strings.TrimSpace(text)
		}
	case xmlURL:
		samples[fr.sample].url += text
	}
}

// xmlSample reads a sample's attributes.
func (r *reader) xmlSample(el xml.StartElement, line int) jtlSample {
	a := map[string]string{}
	for _, at := range el.Attr {
		a[at.Name.Local] = at.Value
	}
	_, hasCode := a["rc"]
	_, hasSuccess := a["s"]
	s := jtlSample{
		line:     line,
		ts:       strings.TrimSpace(a["ts"]),
		label:    a["lb"],
		code:     strings.TrimSpace(a["rc"]),
		hasCode:  hasCode,
		message:  a["rm"],
		dataType: a["dt"],
		elapsed:  r.jtlElapsed(line, "attribute t", a["t"]),
		success:  r.jtlSuccess(line, a["s"], hasSuccess, strings.TrimSpace(a["rc"])),
		bytes:    optInt(a["by"]),
		threads:  int(optInt(a["na"])),
	}
	return s
}

// xmlCharset reads the encodings an XML JTL may declare. The text is UTF-8
// already when the file had a BOM or was UTF-16; Latin-1 and Windows-1252
// are transcoded.
func xmlCharset(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	}
	return in, nil
}
