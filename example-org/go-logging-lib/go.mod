module github.com/acme-logistics/go-logging-lib

go 1.22
