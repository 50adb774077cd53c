package executor

// SetBeforeStep installs a hook that runs before each path change and may
// fail it: failure injection for tests.
func SetBeforeStep(x *Executor, f func(seq int, rel string) error) { x.beforeStep = f }
