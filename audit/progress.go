package audit

import "sync"

// Progress receives the advance of a run: how many distinct artifacts are
// done out of how many, and the one being worked on. It is called from the
// run's workers, one call at a time.
type Progress func(done, total int, current string)

// progress serialises calls to a Progress.
type progress struct {
	mu       sync.Mutex // guards n and calls to report
	report   Progress
	n, total int
}

func newProgress(p Progress, total int) *progress {
	pr := &progress{report: p, total: total}
	if p != nil {
		p(0, total, "")
	}
	return pr
}

func (p *progress) start(artifact string) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.report(p.n, p.total, artifact)
}

func (p *progress) done(artifact string) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.report(p.n, p.total, artifact)
}
