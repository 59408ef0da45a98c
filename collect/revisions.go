package collect

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/runlens/runlens/model"
)

// ReadRevisions reads Admin API v2 Revisions ({"revisions": [...]}, a
// ListRevisions response) and sets each traffic target's MinInstances from
// its revision's scaling; name names the input in errors.
func ReadRevisions(name string, r io.Reader, svc *model.ServiceConfig) error {
	var list struct {
		Revisions []RunRevision `json:"revisions"`
	}
	if err := json.NewDecoder(r).Decode(&list); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if svc == nil {
		return nil
	}
	for _, rev := range list.Revisions {
		if rev.Name == "" {
			return fmt.Errorf("reading %s: a revision without a name", name)
		}
		n := 0
		if rev.Scaling != nil {
			n = rev.Scaling.MinInstanceCount
		}
		for i := range svc.Traffic {
			if svc.Traffic[i].Revision == lastSegment(rev.Name) {
				svc.Traffic[i].MinInstances = &n
			}
		}
	}
	return nil
}
