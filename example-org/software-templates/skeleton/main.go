package main

import (
	"net/http"

	"github.com/acme-logistics/go-logging-lib/logging"
)

func main() {
	log := logging.New("${{ values.name }}")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	log.Info("listening", "addr", ":8080")
	_ = http.ListenAndServe(":8080", nil)
}
