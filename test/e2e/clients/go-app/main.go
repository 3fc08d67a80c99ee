// A Go program using Debian's sentry-go: a wrapped error chain, a recovered panic, a message from an
// HTTP handler behind sentryhttp (the request carries a phone browser's User-Agent and client hints),
// and a transaction with child spans. Prints the event ids it sent as one JSON line.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
)

var errRefused = errors.New("connection refused by db-7.internal")

func loadOrder(id int) error {
	return fmt.Errorf("load order %d: %w", id, errRefused)
}

func main() {
	var mu sync.Mutex
	sent := map[string][]string{}
	sentry.AddGlobalEventProcessor(func(event *sentry.Event, hint *sentry.EventHint) *sentry.Event {
		mu.Lock()
		defer mu.Unlock()
		kind := event.Type
		if kind == "" {
			kind = "error"
		}
		sent[kind] = append(sent[kind], string(event.EventID))
		return event
	})
	err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"),
		Release:          "e2e-go@1.0.0",
		Environment:      "e2e",
		TracesSampleRate: 1.0,
	})
	if err != nil {
		panic(err)
	}

	errorID := sentry.CaptureException(fmt.Errorf("checkout failed: %w", loadOrder(17)))

	var panicID *sentry.EventID
	func() {
		defer func() {
			if r := recover(); r != nil {
				panicID = sentry.CurrentHub().Recover(r)
			}
		}()
		var orders map[string]int
		orders["17"]++
	}()

	// A request from a browser to a Go service: the event's request carries its headers.
	handler := sentryhttp.New(sentryhttp.Options{}).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		if hub := sentry.GetHubFromContext(r.Context()); hub != nil {
			hub.CaptureMessage("checkout from a phone")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	server := httptest.NewServer(handler)
	req, _ := http.NewRequest("GET", server.URL+"/checkout", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")
	req.Header.Set("Sec-CH-UA", `"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`)
	req.Header.Set("Sec-CH-UA-Mobile", "?1")
	req.Header.Set("Sec-CH-UA-Platform", `"Android"`)
	req.Header.Set("Sec-CH-UA-Platform-Version", `"14.0.0"`)
	req.Header.Set("Sec-CH-UA-Model", `"SM-S918B"`)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
	server.Close()

	tx := sentry.StartSpan(context.Background(), "task", sentry.TransactionName("process orders"))
	query := tx.StartChild("db.query")
	query.Description = "SELECT * FROM orders WHERE id = $1"
	time.Sleep(5 * time.Millisecond)
	query.Finish()
	call := tx.StartChild("http.client")
	call.Description = "POST https://payments.example/charge"
	time.Sleep(5 * time.Millisecond)
	call.Finish()
	tx.Finish()

	sentry.Flush(10 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	out, _ := json.Marshal(map[string]interface{}{
		"errorEventId": errorID,
		"panicEventId": panicID,
		"sent":         sent,
	})
	fmt.Println(string(out))
}
