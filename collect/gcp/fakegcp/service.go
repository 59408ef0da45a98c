package fakegcp

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"github.com/runlens/runlens/model"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// servicesServer is the Cloud Run Admin API v2 Services service.
type servicesServer struct {
	runpb.UnimplementedServicesServer
	s *Server
}

// GetService returns the service named projects/P/locations/R/services/S.
func (r *servicesServer) GetService(ctx context.Context, req *runpb.GetServiceRequest) (*runpb.Service, error) {
	r.s.count("GetService")
	if err := r.s.fault(ctx, "GetService", 0, req.GetName()); err != nil {
		return nil, err
	}
	for _, svc := range r.s.data.services {
		if svc.GetName() == req.GetName() {
			return svc, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "service %q not found", req.GetName())
}

// ListServices returns the services under projects/P/locations/R. The
// location wildcard "-" is refused, as the Admin API v2 refuses it. Pages
// are not split: the fake holds few services.
func (r *servicesServer) ListServices(ctx context.Context, req *runpb.ListServicesRequest) (*runpb.ListServicesResponse, error) {
	r.s.count("ListServices")
	if err := r.s.fault(ctx, "ListServices", 0, req.GetParent()); err != nil {
		return nil, err
	}
	p := strings.Split(req.GetParent(), "/")
	if len(p) != 4 || p[0] != "projects" || p[2] != "locations" {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q: want projects/P/locations/R", req.GetParent())
	}
	if p[3] == "-" {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q: the location wildcard \"-\" is not supported; list one region at a time", req.GetParent())
	}
	resp := &runpb.ListServicesResponse{}
	for _, svc := range r.s.data.services {
		project, region, _ := splitName(svc.GetName())
		if project == p[1] && region == p[3] {
			resp.Services = append(resp.Services, svc)
		}
	}
	return resp, nil
}

func splitName(name string) (project, region, service string) {
	p := strings.Split(name, "/")
	if len(p) != 6 {
		return "", "", name
	}
	return p[1], p[3], p[5]
}

// serviceFromConfig builds a v2 Service from what a v1 resource said: one
// container holding the sum of the v1 containers' limits, the GPU type and
// count, and manual scaling as service-level scaling.
func serviceFromConfig(cfg *model.ServiceConfig) *runpb.Service {
	limits := map[string]string{
		"cpu":    strconv.FormatFloat(cfg.CPU, 'f', -1, 64),
		"memory": fmt.Sprintf("%dMi", cfg.MemoryMiB),
	}
	if cfg.GPUs > 0 {
		limits["nvidia.com/gpu"] = strconv.Itoa(cfg.GPUs)
	}
	svc := &runpb.Service{
		Name: fmt.Sprintf("projects/%s/locations/%s/services/%s", cfg.Project, cfg.Region, cfg.Name),
		Template: &runpb.RevisionTemplate{
			Scaling: &runpb.RevisionScaling{
				MinInstanceCount: int32(cfg.MinInstances),
				MaxInstanceCount: int32(cfg.MaxInstances),
			},
			MaxInstanceRequestConcurrency: int32(cfg.Concurrency),
			Containers: []*runpb.Container{{Resources: &runpb.ResourceRequirements{
				Limits:  limits,
				CpuIdle: cfg.Billing == model.BillingRequest,
			}}},
		},
	}
	if cfg.Accelerator != "" {
		svc.Template.NodeSelector = &runpb.NodeSelector{Accelerator: cfg.Accelerator}
	}
	if cfg.ScalingMode == model.ScalingManual {
		n := int32(cfg.MinInstances)
		svc.Scaling = &runpb.ServiceScaling{ScalingMode: runpb.ServiceScaling_MANUAL, ManualInstanceCount: &n}
	}
	if len(cfg.Revisions) > 0 {
		svc.LatestReadyRevision = fmt.Sprintf("projects/%s/locations/%s/revisions/%s", cfg.Project, cfg.Region, cfg.Revisions[0])
	}
	return svc
}
