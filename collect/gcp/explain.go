package gcp

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// apiError is an API failure told in one line that says what to do about
// it. It keeps the gRPC code, so status.Code still reads it.
type apiError struct {
	code codes.Code
	msg  string
}

func (e *apiError) Error() string              { return e.msg }
func (e *apiError) GRPCStatus() *status.Status { return status.New(e.code, e.msg) }

// explain rewrites an API error: the role to grant when permission is
// denied, how to log in when the credentials were refused. Other errors
// keep their code and message without the "rpc error:" wrapping.
func explain(err error, role, project string) error {
	var ae *apiError
	var ce *connectError
	if errors.As(err, &ae) || errors.As(err, &ce) {
		return err
	}
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	msg := st.Code().String() + ": " + st.Message()
	switch st.Code() {
	case codes.PermissionDenied:
		msg = fmt.Sprintf("permission denied (grant the caller %s on project %s): %s", role, project, st.Message())
	case codes.Unauthenticated:
		msg = fmt.Sprintf("credentials refused (run \"gcloud auth application-default login\"): %s", st.Message())
	}
	return &apiError{code: st.Code(), msg: msg}
}
