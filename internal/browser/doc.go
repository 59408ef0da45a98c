// Package browser opens a page in headless Chromium and reports what the
// page did.
//
// Check loads a local HTML file with Debian's chromium, waits until every
// chart container of the page is drawn, and returns the charts, the console
// errors and uncaught exceptions, every network request the page made, any
// JavaScript dialog (dismissed), and the page's visible text. Tests use it to
// prove that a runlens report draws offline and stays inert whatever the
// logs held.
package browser
