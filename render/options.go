package render

// Options controls rendering.
type Options struct {
	// Title heads the HTML page and the Markdown; empty means a title made
	// from the service name.
	Title string
	// MaxPoints caps the points per chart series; longer series are
	// downsampled for display only. Zero means 2000.
	MaxPoints int
	// MaxMarkdownBytes keeps the Markdown under this many bytes by leaving
	// out the last rows of its largest tables and lists, with a note saying
	// how many. Zero means DefaultMaxMarkdownBytes (1 MiB); negative, no
	// bound.
	MaxMarkdownBytes int
	// Width is the terminal's width in columns (a terminal's COLUMNS): no
	// line of the terminal outputs is longer. Zero means DefaultWidth;
	// below MinWidth counts as MinWidth.
	Width int
}
