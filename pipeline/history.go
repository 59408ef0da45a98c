package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/internal/jsonerr"
)

// readHistory reads the earlier audits in dir: every *.json file whose
// schema is the audit's. Other files are skipped with a warning; a missing
// directory is an empty history (the first night).
func readHistory(dir string) ([]audit.Prior, []string, error) {
	if dir == "" {
		return nil, nil, nil
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("-history: %w", err)
	}
	var out []audit.Prior
	var warnings []string
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".json") {
			continue
		}
		path := filepath.Join(dir, name)
		a, err := ReadAudit(path)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("history: %v: not compared with", err))
			continue
		}
		out = append(out, audit.Prior{File: path, Audit: a})
	}
	return out, warnings, nil
}

// ReadAudit reads an audit's JSON.
func ReadAudit(path string) (*audit.Audit, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, jsonerr.At(path, b, err)
	}
	if a.Schema != audit.Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, a.Schema, audit.Schema)
	}
	return &a, nil
}

// historyFile is where an audit is kept in the history: PROJECT-DATE.json,
// the date being the window's end. A second audit of the same project and
// day replaces the first.
func historyFile(dir string, a *audit.Audit) string {
	project := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, a.Project)
	return filepath.Join(dir, project+"-"+audit.Date(a.Window)+".json")
}
