package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interleave lets flags follow the positional arguments of a command, as in
// `fnaudit scan ./app --fail-on high`: urfave/cli v2 stops reading flags at
// the first positional argument, so the flags are moved in front of them.
// "--" still ends the flags.
func interleave(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *ucli.Command
	i := 1
	for ; i < len(args); i++ {
		if cmd = app.Command(args[i]); cmd != nil || !strings.HasPrefix(args[i], "-") {
			break
		}
	}
	if cmd == nil {
		return args
	}
	out := append([]string{}, args[:i+1]...)
	var positional []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			positional = append(positional, rest[j+1:]...)
			j = len(rest)
		case strings.HasPrefix(a, "-") && a != "-":
			out = append(out, a)
			if takesValue(cmd, a) && j+1 < len(rest) {
				j++
				out = append(out, rest[j])
			}
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

// takesValue says whether the flag arg ("--db", "-f") of cmd reads the next
// argument as its value.
func takesValue(cmd *ucli.Command, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			_, isBool := f.(*ucli.BoolFlag)
			return !isBool
		}
	}
	return false
}
