package runtime

import (
	"os"
	"strings"
)

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

func trim(s string) string { return strings.TrimSpace(s) }
