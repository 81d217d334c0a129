package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/reports"
)

// Version is fnaudit's version; release builds set it with
// -ldflags "-X github.com/fnaudit/fnaudit/cmd/fnaudit/cli.Version=v1.2.3".
var Version = "0.1.0-dev"

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks a mistake in the command line or its inputs (exit 2).
func usageError(err error) error { return &exitError{code: reports.ExitUsage, err: err} }

// env is what a command may touch besides its flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
}

// Run runs fnaudit with args (args[0] is the program name) and returns the
// process exit code: 0 gate passed, 1 gate failed, 2 usage or input error,
// 3 audit incomplete. SIGINT and SIGTERM cancel the run; its temp dir is
// removed before Run returns.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal cancels the run, which then cleans up; a second one
	// gets the default behaviour and ends the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now}
	app := newApp(e)
	err := app.RunContext(ctx, interleave(app, args))
	return exitCode(ctx, err, stderr)
}

// exitCode maps an error to the process exit code, in one place, and prints
// it.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return reports.ExitPassed
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "fnaudit: %v\n", ee.err)
		}
		return ee.code
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "fnaudit: interrupted: the audit is incomplete")
		return reports.ExitIncomplete
	}
	// urfave/cli's own errors (unknown flag, missing argument) are usage
	// errors.
	fmt.Fprintf(stderr, "fnaudit: %v\n", err)
	return reports.ExitUsage
}

func newApp(e *env) *ucli.App {
	return &ucli.App{
		Name:  "fnaudit",
		Usage: "audit the third-party code inside serverless functions",
		Description: "fnaudit unpacks exactly what each function of a serverless application runs, " +
			"builds an SBOM with syft, matches it offline against OSV advisories and rates every " +
			"finding by the function's exposure and privilege.\n\n" +
			"Exit codes: 0 gate passed, 1 gate failed, 2 usage or input error (nothing audited), " +
			"3 audit incomplete (some function could not be audited; never a pass).",
		Version:         Version,
		Reader:          e.stdin,
		Writer:          e.stdout,
		ErrWriter:       e.stderr,
		HideHelpCommand: true,
		Commands:        []*ucli.Command{scanCommand(e), sbomCommand(e), dbCommand(e), rescanCommand(e), historyCommand(e), serveCommand(e), versionCommand(e)},
		// Errors are printed by exitCode, once.
		ExitErrHandler: func(*ucli.Context, error) {},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return usageError(err)
		},
	}
}
