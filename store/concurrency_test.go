package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment of the writer child process (this test binary run again).
const (
	childDSN   = "FNAUDIT_STORE_CHILD_DSN"
	childSaves = "FNAUDIT_STORE_CHILD_SAVES" // how many entries; 0: until killed
	childFns   = "FNAUDIT_STORE_CHILD_FUNCTIONS"
	childApp   = "FNAUDIT_STORE_CHILD_APP"
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(childDSN); dsn != "" {
		os.Exit(childWriter(dsn))
	}
	os.Exit(m.Run())
}

// childWriter saves entries and prints "saved ID" after each commit.
func childWriter(dsn string) int {
	saves, _ := strconv.Atoi(os.Getenv(childSaves))
	fns, _ := strconv.Atoi(os.Getenv(childFns))
	s, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	for i := 0; saves == 0 || i < saves; i++ {
		r := sampleReport(fmt.Sprintf("%s-%d", os.Getenv(childApp), i%3), fns)
		e, err := s.Save(context.Background(), Record{Kind: KindScan, Report: r, Documents: documents(r)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("saved %d\n", e.ID)
	}
	return 0
}

func writerCmd(t *testing.T, dsn, app string, saves, fns int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDSN+"="+dsn, childSaves+"="+strconv.Itoa(saves),
		childFns+"="+strconv.Itoa(fns), childApp+"="+app)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestConcurrentWrites writes many entries at once from goroutines sharing
// one store and from separate processes: none is lost or torn.
func TestConcurrentWrites(t *testing.T) {
	const goroutines, perGoroutine, processes, perProcess = 12, 3, 4, 4
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			s := open(t, dsn)
			var cmds []*exec.Cmd
			for i := range processes {
				cmd := writerCmd(t, dsn, fmt.Sprintf("proc%d", i), perProcess, 20)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
			}
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*perGoroutine)
			for g := range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						r := sampleReport(fmt.Sprintf("app%d", (g+i)%5), 10+g)
						if _, err := s.Save(context.Background(), Record{Kind: KindScan, Report: r, Documents: documents(r)}); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("concurrent save: %v", err)
			}
			for _, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Errorf("writer process: %v", err)
				}
			}
			if n := consistent(t, s); n != goroutines*perGoroutine+processes*perProcess {
				t.Errorf("%d entries stored, want %d", n, goroutines*perGoroutine+processes*perProcess)
			}
		})
	}
}

// TestKilledWriter SIGKILLs a process while it writes large entries: the
// store keeps every committed entry whole, none half-written, and takes new
// writes at once.
func TestKilledWriter(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			open(t, dsn).Close() // migrated before the child starts
			cmd := writerCmd(t, dsn, "victim", 0, 300)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			for range 2 {
				if !lines.Scan() {
					t.Fatalf("the writer stopped before saving twice: %v", cmd.Wait())
				}
			}
			// Kill it in the middle of its third entry.
			time.Sleep(30 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
			}
			cmd.Wait()

			s := open(t, dsn)
			before := consistent(t, s)
			if before < 2 {
				t.Fatalf("%d entries survived, want at least the 2 committed", before)
			}
			if b.name == "sqlite" {
				var check string
				if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
					t.Errorf("integrity_check: %q, %v", check, err)
				}
			}
			saveScan(t, s, sampleReport("after", 2), nil)
			if n := consistent(t, s); n != before+1 {
				t.Errorf("%d entries after one more save, want %d", n, before+1)
			}
		})
	}
}
