package gcp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	logging "cloud.google.com/go/logging/apiv2"
	monitoring "cloud.google.com/go/monitoring/apiv3/v2"
	recommender "cloud.google.com/go/recommender/apiv1"
	run "cloud.google.com/go/run/apiv2"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Read-only scopes for Application Default Credentials. The Cloud Run
// Admin API and the Recommender API accept only cloud-platform; the roles
// granted (roles/run.viewer, roles/recommender.viewer) keep them read-only.
var (
	loggingScopes    = []string{"https://www.googleapis.com/auth/logging.read"}
	monitoringScopes = []string{"https://www.googleapis.com/auth/monitoring.read"}
	runScopes        = []string{"https://www.googleapis.com/auth/cloud-platform"}
)

// ErrNoCredentials is returned when no endpoint is given and Application
// Default Credentials cannot be found.
var ErrNoCredentials = errors.New(`no Google credentials: run "gcloud auth application-default login" ` +
	`(or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file), ` +
	`or give -endpoint HOST:PORT to read from a fake-gcp server`)

// noRetry turns off the client libraries' own retries: the collector
// retries itself, so that every call is counted and paced.
var noRetry = gax.WithRetry(func() gax.Retryer { return nil })

// clients are the API clients, all sending their calls through one ledger.
type clients struct {
	logging     *logging.Client
	metric      *monitoring.MetricClient
	services    *run.ServicesClient
	revisions   *run.RevisionsClient
	recommender *recommender.Client
}

// dial makes the clients: to endpoint without credentials or TLS when it is
// set, else to Google with Application Default Credentials, which it checks
// first so that their absence is one clear error.
func dial(ctx context.Context, endpoint string, l *ledger) (*clients, error) {
	common := []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(l.intercept)),
	}
	scoped := func(scopes []string) []option.ClientOption {
		return slices.Concat(common, []option.ClientOption{option.WithScopes(scopes...)})
	}
	if endpoint != "" {
		common = append(common, option.WithEndpoint(endpoint), option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
		scoped = func([]string) []option.ClientOption { return common }
	} else if _, err := findCredentials(); err != nil {
		return nil, err
	}
	c := &clients{}
	var err error
	if c.logging, err = logging.NewClient(ctx, scoped(loggingScopes)...); err != nil {
		return nil, fmt.Errorf("connecting to Cloud Logging: %w", err)
	}
	if c.metric, err = monitoring.NewMetricClient(ctx, scoped(monitoringScopes)...); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting to Cloud Monitoring: %w", err)
	}
	if c.services, err = run.NewServicesClient(ctx, scoped(runScopes)...); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting to the Cloud Run Admin API: %w", err)
	}
	if c.revisions, err = run.NewRevisionsClient(ctx, scoped(runScopes)...); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting to the Cloud Run Admin API: %w", err)
	}
	if c.recommender, err = recommender.NewClient(ctx, scoped(runScopes)...); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting to the Recommender API: %w", err)
	}
	return c, nil
}

// findCredentials looks for Application Default Credentials.
func findCredentials() (*auth.Credentials, error) {
	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: loggingScopes})
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoCredentials, err)
	}
	return creds, nil
}

// DefaultProject returns the project of Application Default Credentials,
// for when no project is given; "" when they name none.
func DefaultProject(ctx context.Context) (string, error) {
	creds, err := findCredentials()
	if err != nil {
		return "", err
	}
	p, err := creds.ProjectID(ctx)
	if err != nil {
		return "", nil
	}
	return p, nil
}

func (c *clients) close() {
	if c.logging != nil {
		c.logging.Close()
	}
	if c.metric != nil {
		c.metric.Close()
	}
	if c.services != nil {
		c.services.Close()
	}
	if c.revisions != nil {
		c.revisions.Close()
	}
	if c.recommender != nil {
		c.recommender.Close()
	}
}
