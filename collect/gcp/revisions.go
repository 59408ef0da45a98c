package gcp

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/proto"

	"github.com/runlens/runlens/collect/snapshot"
)

// idleTargets are the revisions the service's traffic names without a
// share of it (tagged ones, usually): those whose own scaling may keep
// instances running with no traffic.
func idleTargets(svc *runpb.Service) []string {
	var out []string
	for _, t := range svc.GetTrafficStatuses() {
		rev := t.GetRevision()
		if i := strings.LastIndex(rev, "/"); i >= 0 {
			rev = rev[i+1:]
		}
		if t.GetPercent() == 0 && rev != "" && !slices.Contains(out, rev) {
			out = append(out, rev)
		}
	}
	return out
}

// collectRevisions reads, when the service's traffic names revisions
// without a share, the service's revisions with ListRevisions and writes
// those revisions to revisions.json: their own minimum instances. A
// failure is a warning of the snapshot, not an error: the rest stands.
func (c *collector) collectRevisions(ctx context.Context, svc *runpb.Service) error {
	want := idleTargets(svc)
	if len(want) == 0 {
		return nil
	}
	parent := fmt.Sprintf("projects/%s/locations/%s/services/%s", c.cfg.Project, c.cfg.Region, c.cfg.Service)
	var revs []proto.Message
	err := c.retry(ctx, "ListRevisions", func() error {
		revs = revs[:0]
		it := c.cl.revisions.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: parent}, noRetry)
		for {
			r, err := it.Next()
			if err == iterator.Done {
				return nil
			}
			if err != nil {
				return err
			}
			name := r.GetName()
			if slices.Contains(want, name[strings.LastIndex(name, "/")+1:]) {
				revs = append(revs, r)
			}
		}
	})
	if err != nil {
		c.m.Warnings = append(c.m.Warnings, fmt.Sprintf("revisions of %s not read (%v): the minimum instances of revisions without traffic are unknown",
			parent, explain(err, "roles/run.viewer", c.cfg.Project)))
		return nil
	}
	if err := writeProtoJSON(filepath.Join(c.cfg.OutDir, snapshot.RevisionsFile), "revisions", revs, nil); err != nil {
		return err
	}
	c.m.Sources[snapshot.RevisionsFile] = "Cloud Run Admin API v2 ListRevisions " + parent
	return nil
}
