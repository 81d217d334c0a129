// Package cli is fnaudit's command line: the urfave/cli/v2 commands, the one
// place where flags and environment variables become library configuration,
// and the one place where errors become exit codes.
//
// [Run] takes every ambient dependency as a parameter (arguments, standard
// streams), so tests run the whole command in-process.
package cli
