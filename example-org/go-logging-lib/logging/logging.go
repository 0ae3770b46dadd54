// Package logging wraps log/slog with Acme defaults.
package logging

import (
	"log/slog"
	"os"
)

// New returns a JSON logger that tags every record with the service name.
func New(service string) *slog.Logger {
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(h).With("service", service)
}
