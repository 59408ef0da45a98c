package render

// Options controls rendering.
type Options struct {
	// Title heads the HTML page and the Markdown; empty means a title made
	// from the service name.
	Title string
	// MaxPoints caps the points per chart series; longer series are
	// downsampled for display only. Zero means 2000.
	MaxPoints int
}
