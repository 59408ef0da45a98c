// Package render turns an analyze.Report into what people read: a
// self-contained HTML page, terminal tables, Markdown and JSON.
//
// The HTML page inlines its chart library and fetches nothing; every string
// that came from logs is escaped before it reaches the page.
package render
