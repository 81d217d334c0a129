# fnaudit — build, test and demo targets. Everything runs offline once the Go
# module cache is filled (`go mod download`).

GO          ?= go
BIN         ?= bin/fnaudit
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS     := -s -w -X github.com/fnaudit/fnaudit/cmd/fnaudit/cli.Version=$(VERSION)
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 5m

.PHONY: build test test-corpus lint demo update-golden fuzz bench bench-image clean

## build: the static fnaudit binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/fnaudit

## test: every unit test with the race detector (needs gcc for -race).
## Tests reading ../shared (the corpus, the full OSV database) skip, saying
## so, when it is absent.
test:
	CGO_ENABLED=1 $(GO) test -race -timeout 30m ./...

## test-corpus: the tests on ../shared only; fails when ../shared is absent.
test-corpus:
	FNAUDIT_REQUIRE_SHARED=1 CGO_ENABLED=1 $(GO) test -race -timeout 30m -count=1 -run 'Corpus|Shared|Peer' ./...

## lint: gofmt, go vet, staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) ./...

## demo: build, then audit the demo function zip against the OSV subset in
## testdata/. The gate fails (exit 1) on purpose: the demo ships old packages.
demo: build
	@echo '$$ fnaudit scan --db testdata/osvdb --fail-on high testdata/demo/orders-function.zip'
	@./$(BIN) scan --db testdata/osvdb --max-db-age 0 --fail-on high testdata/demo/orders-function.zip; \
		code=$$?; echo "(exit code $$code)"; [ $$code -eq 1 ]

## update-golden: rewrite golden files after a reviewed change of output
## (the packages whose tests use internal/golden; -update is their flag)
update-golden:
	CGO_ENABLED=0 $(GO) test -count=1 $$(grep -rl --include='*_test.go' 'fnaudit/internal/golden"' . | xargs -n1 dirname | sort -u) -update

## bench: fnaudit against the unzip + syft + osv-scanner pipeline on ../shared/corpus,
## and the 5-versus-200-functions scale test (see docs/performance.md)
bench:
	RUNS=$${RUNS:-5} ./bench/run.sh
	CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchtime 5x ./vuln ./bundle/unpack ./bundle/image

## bench-image: a 256 MB, 512 MB and 1 GB container image from bench/imagegen, scanned
## RUNS times each: time linear in bytes, peak RSS bounded (see docs/performance.md)
bench-image:
	RUNS=$${RUNS:-3} ./bench/image.sh

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	CGO_ENABLED=0 $(GO) test ./bundle/unpack -run '^$$' -fuzz FuzzZip -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./vuln -run '^$$' -fuzz FuzzDecodeRecord -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./vuln -run '^$$' -fuzz FuzzDBIndex -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./bundle/image -run '^$$' -fuzz FuzzFlatten -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./bundle/serverless -run '^$$' -fuzz FuzzServerlessManifest -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./bundle/cloudformation -run '^$$' -fuzz FuzzCloudFormationTemplate -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./bundle/terraform -run '^$$' -fuzz FuzzTerraformPlan -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./bundle/azure -run '^$$' -fuzz FuzzAzureFunctionJSON -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./sbom/bundled -run '^$$' -fuzz FuzzBuildJSON -fuzztime $(FUZZTIME)
	CGO_ENABLED=0 $(GO) test ./sbom/bundled -run '^$$' -fuzz FuzzText -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
