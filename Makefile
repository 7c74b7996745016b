# gofly — developer commands. Only Go is needed; tools are fetched through the module proxy.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHTIME   ?= 1s

.PHONY: run test vet fmt-check lint bench cover tidy

## run: run the flagship demo (examples/web): a web app built from plugins, admin page on loopback; Ctrl-C stops it
run:
	cd examples/web && $(GO) run .

## test: vet, formatting, and every package's tests (examples included) under the race detector
test: vet fmt-check
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint: gofmt, go vet and staticcheck (fetched through the module proxy)
lint: vet fmt-check
	$(GO) run $(STATICCHECK) ./...

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## cover: tests with coverage; writes coverage.out and prints the summary
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

tidy:
	$(GO) mod tidy
