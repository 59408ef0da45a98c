package fakegcp

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"sync"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc"
)

// Server is a fake of the four Google APIs runlens reads, serving the data
// of the snapshots it was made from.
type Server struct {
	data *dataset
	grpc *grpc.Server

	mu     sync.Mutex
	lis    net.Listener
	calls  map[string]int
	faults []*Fault
	cache  map[uint64][]int // entries matched, by query hash
}

// New reads the snapshots (directories, or loose export files) and returns
// a server for their data. It fails when a file cannot be read or when
// nothing at all was found.
func New(snapshots ...string) (*Server, error) {
	if len(snapshots) == 0 {
		return nil, errors.New("fake-gcp: no snapshot given")
	}
	d := &dataset{}
	for _, p := range snapshots {
		if err := d.load(p); err != nil {
			return nil, err
		}
	}
	if d.empty() {
		return nil, errors.New("fake-gcp: no log entries, time series or services in " + snapshots[0])
	}
	d.sort()
	s := &Server{data: d, calls: map[string]int{}, cache: map[uint64][]int{}}
	s.grpc = grpc.NewServer()
	loggingpb.RegisterLoggingServiceV2Server(s.grpc, &loggingServer{s: s})
	monitoringpb.RegisterMetricServiceServer(s.grpc, &metricServer{s: s})
	runpb.RegisterServicesServer(s.grpc, &servicesServer{s: s})
	runpb.RegisterRevisionsServer(s.grpc, &revisionsServer{s: s})
	recommenderpb.RegisterRecommenderServer(s.grpc, &recommenderServer{s: s})
	return s, nil
}

// Serve answers calls on lis until Stop; it returns nil after Stop.
func (s *Server) Serve(lis net.Listener) error {
	s.mu.Lock()
	s.lis = lis
	s.mu.Unlock()
	err := s.grpc.Serve(lis)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background
// until Stop; Addr is set when it returns.
func (s *Server) Start(addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fake-gcp: %w", err)
	}
	s.mu.Lock()
	s.lis = lis
	s.mu.Unlock()
	go s.grpc.Serve(lis)
	return nil
}

// Addr is the address Serve listens on ("" before Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lis == nil {
		return ""
	}
	return s.lis.Addr().String()
}

// Stop ends Serve, cancelling calls in progress.
func (s *Server) Stop() { s.grpc.Stop() }

// Calls returns how many calls each method received, by short method name
// ("ListLogEntries", "ListTimeSeries", "GetService"...), failed ones included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Stats says what the server holds.
type Stats struct {
	Entries  int // log entries, all logs
	Series   int // time series
	Services int
	// Recommendations are those of the Recommender API.
	Recommendations int
}

// Stats returns the amount of data loaded.
func (s *Server) Stats() Stats {
	return Stats{Entries: len(s.data.entries), Series: len(s.data.series), Services: len(s.data.services),
		Recommendations: len(s.data.recommendations)}
}

// count records one call of method.
func (s *Server) count(method string) {
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
}
