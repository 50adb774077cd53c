# Countersign: build, run and test. `make run` and `make test` are the two
# commands in the README; everything else supports them.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
GOOS := $(shell $(GO) env GOOS 2>/dev/null)
comma := ,
TAGS_linux := webkit2_41
WAILS_TAGS := desktop,production$(if $(TAGS_$(GOOS)),$(comma)$(TAGS_$(GOOS)))
BIN := build/bin/countersign
E2E_BIN := build/bin/countersign-e2e
AGENT_BIN := build/bin/countersign-agent
ARTIFACTS ?= $(CURDIR)/artifacts
VCS := $(if $(wildcard .git),-buildvcs=true)
GO_SOURCES := $(shell find . -name '*.go' -not -path './frontend/*' 2>/dev/null) go.mod go.sum
FRONTEND_SOURCES := $(shell find frontend/src frontend/wailsjs frontend/index.html frontend/package.json frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)

.PHONY: all run build frontend bindings sysdeps sysdeps-test test test-go test-frontend test-e2e bench clean

all: build

## sysdeps: system packages for building and running (installed with apt-get when missing)
sysdeps:
	@bash build/scripts/install-deps.sh

sysdeps-test:
	@bash build/scripts/install-deps.sh --test

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The independent JOSE implementation the intent tests verify tokens with.
JOSE_DIR := backend/intent/testdata/jose
$(JOSE_DIR)/node_modules/.installed: $(JOSE_DIR)/package.json $(JOSE_DIR)/package-lock.json
	cd $(JOSE_DIR) && npm ci --no-audit --no-fund
	touch $@

# The official MCP TypeScript client the MCP tests drive the real server with.
MCP_CLIENT_DIR := backend/mcp/testdata/client
$(MCP_CLIENT_DIR)/node_modules/.installed: $(MCP_CLIENT_DIR)/package.json $(MCP_CLIENT_DIR)/package-lock.json
	cd $(MCP_CLIENT_DIR) && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch frontend/dist/.gitkeep

frontend: frontend/dist/index.html

$(BIN): frontend/dist/index.html $(GO_SOURCES)
	$(GO) build $(VCS) -tags $(WAILS_TAGS) -ldflags "-w -s" -o $@ .

# Test-only build: serves the real UI and backend over HTTP for browser tests. Never shipped.
$(E2E_BIN): frontend/dist/index.html $(GO_SOURCES)
	$(GO) build -tags e2e -o $@ .

# The same command line without the window, for hooks and MCP: it starts in
# milliseconds instead of loading WebKitGTK.
$(AGENT_BIN): $(GO_SOURCES)
	$(GO) build $(VCS) -ldflags "-w -s" -o $@ ./backend/cmd/countersign-agent

build: sysdeps $(BIN) $(AGENT_BIN)

## run: build the app and start it with the demo agent filling the queue
run: build
	./$(BIN) --demo

## bindings: regenerate frontend/wailsjs from the bound Go methods
bindings:
	$(GO) run github.com/wailsapp/wails/v2/cmd/wails@v2.16.0 generate module -tags $(WAILS_TAGS)

## test: every test: vet, Go tests with the race detector, frontend checks, end-to-end
test: sysdeps-test
	$(MAKE) test-go test-frontend test-e2e

test-go: frontend/dist/index.html $(JOSE_DIR)/node_modules/.installed $(MCP_CLIENT_DIR)/node_modules/.installed
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	GOOS=windows $(GO) build -tags desktop,production -o /dev/null .
	COUNTERSIGN_REQUIRE_KEYRING=1 COUNTERSIGN_REQUIRE_NODE=1 COUNTERSIGN_REQUIRE_DESKTOP=1 \
	  bash build/scripts/with-session.sh $(GO) test -race -count=1 ./...

test-frontend: frontend/node_modules/.installed
	cd frontend && npm run typecheck && npm test

test-e2e: $(BIN) $(E2E_BIN)
	mkdir -p $(ARTIFACTS)
	COUNTERSIGN_BIN=$(CURDIR)/$(BIN) COUNTERSIGN_ARTIFACTS=$(ARTIFACTS) \
	  bash build/scripts/with-session.sh $(GO) test -tags e2e -count=1 -run 'TestWindow' -v ./app/
	cd frontend && COUNTERSIGN_E2E_BIN=$(CURDIR)/$(E2E_BIN) COUNTERSIGN_ARTIFACTS=$(ARTIFACTS) \
	  bash ../build/scripts/with-session.sh npm run e2e

## bench: every benchmark, with peer ratios, as one table
bench: sysdeps-test $(BIN) $(E2E_BIN) $(AGENT_BIN)
	bash build/scripts/bench.sh

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html $(ARTIFACTS)
