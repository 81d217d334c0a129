package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/audit"
)

// progressBar draws "[3/12] cataloguing layer.zip" on one line of stderr
// when it is a terminal, and nothing otherwise (CI logs stay clean).
func progressBar(stderr io.Writer) audit.Progress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(done, total int, current string) {
		if done == total {
			fmt.Fprint(f, "\r\033[K")
			return
		}
		fmt.Fprintf(f, "\r\033[K[%d/%d] cataloguing %s", done, total, filepath.Base(current))
	}
}
