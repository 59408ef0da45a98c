package fakegcp

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The audit project is served whole: every service of its snapshots, and
// legacy's revisions, listed per service or with the service wildcard;
// malformed parents and the location wildcard are refused, unknown names
// not found.
func TestProjectAndRevisions(t *testing.T) {
	s, conn := serveConn(t, filepath.Join("..", "..", "..", "fixtures", "audit-project"))
	if st := s.Stats(); st.Services != 7 {
		t.Fatalf("%d services served, want the project's 7", st.Services)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc := runpb.NewRevisionsClient(conn)
	const legacy = "projects/runlens-audit/locations/europe-west1/services/legacy"
	for parent, want := range map[string]int{legacy: 2, "projects/runlens-audit/locations/europe-west1/services/-": 2,
		"projects/runlens-audit/locations/europe-west1/services/checkout": 0} {
		resp, err := rc.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: parent})
		if err != nil || len(resp.GetRevisions()) != want {
			t.Errorf("ListRevisions(%s): %d revisions, %v; want %d", parent, len(resp.GetRevisions()), err, want)
		}
	}
	rev, err := rc.GetRevision(ctx, &runpb.GetRevisionRequest{Name: legacy + "/revisions/legacy-00003-pod"})
	if err != nil || rev.GetScaling().GetMinInstanceCount() != 1 {
		t.Errorf("GetRevision legacy-00003-pod: min instances %d, %v; want 1", rev.GetScaling().GetMinInstanceCount(), err)
	}
	for _, tt := range []struct {
		call func() error
		want codes.Code
	}{
		{func() error {
			_, err := rc.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: "projects/runlens-audit/locations/-/services/legacy"})
			return err
		}, codes.InvalidArgument},
		{func() error {
			_, err := rc.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: "projects/runlens-audit/locations/europe-west1"})
			return err
		}, codes.InvalidArgument},
		{func() error {
			_, err := rc.GetRevision(ctx, &runpb.GetRevisionRequest{Name: legacy + "/revisions/legacy-00009-zzz"})
			return err
		}, codes.NotFound},
		{func() error {
			_, err := rc.GetRevision(ctx, &runpb.GetRevisionRequest{Name: "legacy-00003-pod"})
			return err
		}, codes.InvalidArgument},
	} {
		if err := tt.call(); status.Code(err) != tt.want {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
}
