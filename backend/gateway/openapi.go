package gateway

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the API's description, an OpenAPI 3 document that a test
// keeps equal to the route table and checks real responses against.
func OpenAPI() []byte { return bytes.Clone(openAPI) }
