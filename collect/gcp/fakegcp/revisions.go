package fakegcp

import (
	"context"
	"fmt"
	"os"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// revisionsFile is a snapshot's Admin API v2 Revisions, a ListRevisions
// response ({"revisions": [...]}).
const revisionsFile = "revisions.json"

// loadRevisions reads a snapshot's revisions.json.
func (d *dataset) loadRevisions(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("fake-gcp: %w", err)
	}
	resp := &runpb.ListRevisionsResponse{}
	if err := unmarshal.Unmarshal(b, resp); err != nil {
		return fmt.Errorf("fake-gcp: reading %s: %w", path, err)
	}
	for _, r := range resp.GetRevisions() {
		if len(strings.Split(r.GetName(), "/")) != 8 {
			return fmt.Errorf("fake-gcp: reading %s: revision name %q: want projects/P/locations/R/services/S/revisions/V", path, r.GetName())
		}
		d.revisions = append(d.revisions, r)
	}
	return nil
}

// revisionsServer is the Cloud Run Admin API v2 Revisions service.
type revisionsServer struct {
	runpb.UnimplementedRevisionsServer
	s *Server
}

// GetRevision returns the revision named
// projects/P/locations/R/services/S/revisions/V.
func (r *revisionsServer) GetRevision(ctx context.Context, req *runpb.GetRevisionRequest) (*runpb.Revision, error) {
	r.s.count("GetRevision")
	if err := r.s.fault(ctx, "GetRevision", 0, req.GetName()); err != nil {
		return nil, err
	}
	p := strings.Split(req.GetName(), "/")
	if len(p) != 8 || p[0] != "projects" || p[2] != "locations" || p[4] != "services" || p[6] != "revisions" {
		return nil, status.Errorf(codes.InvalidArgument, "name %q: want projects/P/locations/R/services/S/revisions/V", req.GetName())
	}
	for _, rev := range r.s.data.revisions {
		if rev.GetName() == req.GetName() {
			return rev, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "revision %q not found", req.GetName())
}

// ListRevisions returns the revisions under
// projects/P/locations/R/services/S; S "-" lists every service's, as the
// Admin API allows, but the location must be named. Pages are not split.
func (r *revisionsServer) ListRevisions(ctx context.Context, req *runpb.ListRevisionsRequest) (*runpb.ListRevisionsResponse, error) {
	r.s.count("ListRevisions")
	if err := r.s.fault(ctx, "ListRevisions", 0, req.GetParent()); err != nil {
		return nil, err
	}
	p := strings.Split(req.GetParent(), "/")
	if len(p) != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "services" || p[1] == "" || p[5] == "" {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q: want projects/P/locations/R/services/S", req.GetParent())
	}
	if p[3] == "-" {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q: the location wildcard \"-\" is not supported", req.GetParent())
	}
	resp := &runpb.ListRevisionsResponse{}
	for _, rev := range r.s.data.revisions {
		q := strings.Split(rev.GetName(), "/")
		if q[1] == p[1] && q[3] == p[3] && (p[5] == "-" || q[5] == p[5]) {
			resp.Revisions = append(resp.Revisions, rev)
		}
	}
	return resp, nil
}
