package gcp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// readService reads the service resource; nil with no error when the
// service no longer exists (its logs and metrics may still be there).
func (c *collector) readService(ctx context.Context) (*runpb.Service, error) {
	name := fmt.Sprintf("projects/%s/locations/%s/services/%s", c.cfg.Project, c.cfg.Region, c.cfg.Service)
	var svc *runpb.Service
	err := c.retry(ctx, "GetService", func() error {
		var err error
		svc, err = c.cl.services.GetService(ctx, &runpb.GetServiceRequest{Name: name}, noRetry)
		return err
	})
	if status.Code(err) == codes.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading service %s: %w", name, explain(err, "roles/run.viewer", c.cfg.Project))
	}
	return svc, nil
}

// writeService writes service.json: the Admin API v2 Service in its JSON form.
func (c *collector) writeService(svc *runpb.Service) error {
	return writeProtoJSON(filepath.Join(c.cfg.OutDir, snapshot.ServiceFile), "", []proto.Message{svc}, nil)
}

// Client reads the Google APIs outside a collection, e.g. for an audit of
// every service of a project.
type Client struct {
	cl     *clients
	ledger *ledger
	cfg    Config

	mu       sync.Mutex
	warnings []string
}

// Dial connects to endpoint (HOST:PORT of a fake-gcp server, no
// credentials) or, when it is "", to Google with Application Default
// Credentials; it fails at once with ErrNoCredentials when there are none.
func Dial(ctx context.Context, endpoint string) (*Client, error) {
	if endpoint != "" {
		if err := CheckEndpoint(endpoint); err != nil {
			return nil, fmt.Errorf("endpoint %w", err)
		}
	}
	cfg := Config{CallTimeout: DefaultCallTimeout, ConnectWait: DefaultConnectWait, LogCallBudget: DefaultLogCallBudget, MaxLogCalls: -1}
	cfg.Retry = Retry{Attempts: 8, Initial: time.Second, Max: 64 * time.Second}
	l := newLedger(cfg)
	cl, err := dial(ctx, endpoint, l)
	if err != nil {
		return nil, err
	}
	return &Client{cl: cl, ledger: l, cfg: cfg}, nil
}

// SetProgress sends notes of retried calls, and of why, to w.
func (c *Client) SetProgress(w io.Writer) { c.cfg.Progress = w }

// Close closes the connections.
func (c *Client) Close() error {
	c.cl.close()
	return nil
}

// ListServices returns the configuration of every Cloud Run service of a
// project in one region. The Admin API v2 refuses the location wildcard
// "-", and so does ListServices: Regions tells where to look.
func (c *Client) ListServices(ctx context.Context, project, region string) ([]*model.ServiceConfig, error) {
	if region == "" || region == "-" {
		return nil, fmt.Errorf("listing services of projects/%s: the Cloud Run Admin API lists one region at a time, not %q", project, region)
	}
	col := &collector{cfg: c.cfg, cl: c.cl, ledger: c.ledger}
	col.cfg.Project = project
	var out []*model.ServiceConfig
	err := col.retry(ctx, "ListServices", func() error {
		out = out[:0]
		it := c.cl.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/" + project + "/locations/" + region}, noRetry)
		for {
			svc, err := it.Next()
			if err == iterator.Done {
				return nil
			}
			if err != nil {
				return err
			}
			cfg, err := serviceConfig(svc)
			if err != nil {
				return err
			}
			out = append(out, cfg)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("listing services of projects/%s/locations/%s: %w", project, region, explain(err, "roles/run.viewer", project))
	}
	return out, nil
}

// serviceConfig converts a Service through its JSON form and the offline
// reader, so that live and offline runs read services one way.
func serviceConfig(svc *runpb.Service) (*model.ServiceConfig, error) {
	b, err := protojson.Marshal(svc)
	if err != nil {
		return nil, err
	}
	return collect.ReadService(svc.GetName(), bytes.NewReader(b))
}
