package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"countersign/backend/errs"
	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

// submitBody mirrors api.SubmitRequest with the actions left raw, so each
// action is decoded on its own and its errors name its index.
type submitBody struct {
	Summary      string            `json:"summary"`
	Rationale    string            `json:"rationale"`
	Workspace    string            `json:"workspace"`
	ExpiresInSec *int              `json:"expires_in_sec"`
	ClientRef    string            `json:"client_ref"`
	AgentRuns    bool              `json:"agent_runs"`
	Actions      []json.RawMessage `json:"actions"`
}

// decodeSubmit turns a request body into a validated proposal for agent. It
// rejects malformed JSON, unknown fields, wrong types, trailing data, more
// actions than the limits allow and every problem proposal.Validate finds,
// each as an invalid error naming the field. now sets the deadline.
func decodeSubmit(body []byte, agent string, lim proposal.Limits, now time.Time) (*proposal.Proposal, string, error) {
	var b submitBody
	if err := strictDecode(body, &b); err != nil {
		return nil, "", jsonError("", err)
	}
	if len(b.Actions) > lim.MaxActions {
		return nil, "", fieldError("actions", "has %d actions, more than the limit of %d", len(b.Actions), lim.MaxActions)
	}
	p := &proposal.Proposal{AgentID: agent, Summary: b.Summary, Rationale: b.Rationale, Workspace: b.Workspace,
		AgentRuns: b.AgentRuns, Actions: make([]proposal.Action, len(b.Actions))}
	for i, raw := range b.Actions {
		prefix := fmt.Sprintf("actions[%d]", i)
		if err := strictDecode(raw, &p.Actions[i]); err != nil {
			return nil, "", jsonError(prefix, err)
		}
	}
	if b.ExpiresInSec != nil {
		switch n := *b.ExpiresInSec; {
		case n < 1 || n > api.MaxExpiresInSec:
			return nil, "", fieldError("expires_in_sec", "must be between 1 and %d seconds, got %d", api.MaxExpiresInSec, n)
		default:
			p.ExpiresAt = now.Add(time.Duration(n) * time.Second)
		}
	}
	if len(b.ClientRef) > api.MaxClientRef {
		return nil, "", fieldError("client_ref", "is %d bytes long, more than the limit of %d", len(b.ClientRef), api.MaxClientRef)
	}
	if err := p.Validate(lim); err != nil {
		return nil, "", fromValidation(err)
	}
	return p, b.ClientRef, nil
}

// strictDecode decodes exactly one JSON value into v, refusing unknown
// fields and anything after the value. null is refused too: every body and
// every action is an object.
func strictDecode(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		if len(t) == 0 {
			return errors.New("is empty; expected a JSON object")
		}
		return errors.New("must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("has data after the JSON object")
	}
	return nil
}

// jsonError names the field a decoding error is about, under prefix.
func jsonError(prefix string, err error) error {
	join := func(f string) string {
		switch {
		case prefix == "":
			return f
		case f == "":
			return prefix
		}
		return prefix + "." + f
	}
	var (
		te *json.UnmarshalTypeError
		se *json.SyntaxError
	)
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = prefix
		} else {
			field = join(field)
		}
		return fieldError(orBody(field), "must be %s, not %s", jsonType(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return fieldError(orBody(prefix), "is not valid JSON: %v (at byte %d)", se, se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fieldError(orBody(prefix), "is not valid JSON: it ends too early")
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if name == "agent_id" && prefix == "" {
			return fieldError("agent_id", "is not accepted: the gateway takes the agent from the token")
		}
		if name == "" {
			return fieldError(orBody(prefix), "has a field with an empty name, which is not known")
		}
		return fieldError(join(name), "is not a known field")
	}
	return fieldError(orBody(prefix), "%s", strings.TrimPrefix(msg, "json: "))
}

func orBody(f string) string {
	if f == "" {
		return "body"
	}
	return f
}

// jsonType names a Go kind as the JSON type it decodes from.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "a " + kind
}

// fromValidation turns proposal.ValidationErrors into the API's form.
func fromValidation(err error) error {
	var ves proposal.ValidationErrors
	if errors.As(err, &ves) {
		out := make(validationErrors, len(ves))
		for i, e := range ves {
			out[i] = api.FieldError{Field: e.Field, Message: e.Message}
		}
		return errs.Wrap(errs.CodeInvalid, out)
	}
	var ve *proposal.ValidationError
	if errors.As(err, &ve) {
		return fieldError(ve.Field, "%s", ve.Message)
	}
	return err
}
