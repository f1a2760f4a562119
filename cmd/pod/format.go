package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"text/template"

	"golang.org/x/term"
)

// output writes a list the way Docker's list commands do: a table by
// default, "json" for a JSON array, a Go template per row, or
// "table TEMPLATE" for a template with a header row.
type output struct {
	// format is the --format value; empty means the default table.
	format string
	// headers maps a template field (".ID") to its column title
	// ("CONTAINER ID"), for "table" templates.
	headers map[string]string
	// defaultTable is the template of the default table.
	defaultTable string
	// noHeading drops a table's header row (--noheading).
	noHeading bool
}

var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode(v)
		return strings.TrimSuffix(buf.String(), "\n"), err
	},
	"upper":    strings.ToUpper,
	"lower":    strings.ToLower,
	"title":    strings.ToTitle,
	"join":     strings.Join,
	"split":    strings.Split,
	"truncate": func(s string, n int) string { return truncate(s, n) },
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// write prints rows; each row is a struct whose exported fields the
// templates name.
func (o output) write(w io.Writer, rows []any) error {
	format := o.format
	switch {
	case format == "json":
		if rows == nil {
			rows = []any{}
		}
		return writeJSON(w, rows)
	case format == "" || format == "table":
		format = "table " + o.defaultTable
	}
	table := strings.HasPrefix(format, "table ")
	body := unescapeTabs(strings.TrimPrefix(format, "table "))
	tmpl, err := parseRow(o.format, body)
	if err != nil {
		return err
	}
	// One write for the whole output, not one per cell.
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	var tw io.Writer = bw
	var flush func() error
	if table {
		t := tabwriter.NewWriter(bw, 0, 8, 3, ' ', 0)
		tw, flush = t, t.Flush
		if !o.noHeading {
			fmt.Fprintln(tw, o.headerLine(body))
		}
	}
	for _, r := range rows {
		line, err := tmpl.line(r)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, line)
	}
	if flush != nil {
		return flush()
	}
	return nil
}

// rowTemplate is a --format template of one row.
type rowTemplate struct {
	format string // as given, for errors
	tmpl   *template.Template
}

// parseRow parses body, the row template of --format format.
func parseRow(format, body string) (rowTemplate, error) {
	tmpl, err := template.New("format").Funcs(templateFuncs).Parse(body)
	if err != nil {
		return rowTemplate{}, usageErrorf("--format %q: %v", format, err)
	}
	return rowTemplate{format: format, tmpl: tmpl}, nil
}

// line renders r as one line, without its newline.
func (t rowTemplate) line(r any) (string, error) {
	var buf bytes.Buffer
	if err := t.tmpl.Execute(&buf, r); err != nil {
		return "", usageErrorf("--format %q: %v", t.format, err)
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}

var fieldRef = regexp.MustCompile(`\{\{[^}]*?(\.[A-Za-z][A-Za-z0-9.]*)[^}]*\}\}`)

// headerLine turns a row template into its header by replacing each
// {{.Field}} with the field's column title.
func (o output) headerLine(body string) string {
	return fieldRef.ReplaceAllStringFunc(body, func(m string) string {
		f := fieldRef.FindStringSubmatch(m)[1]
		if h, ok := o.headers[f]; ok {
			return h
		}
		return strings.ToUpper(strings.TrimPrefix(f, "."))
	})
}

// isTerminal reports whether w is a terminal (where the commands that
// print again, stats and ps --watch, clear the screen in between).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// clearScreen clears the terminal w and puts the cursor at its top.
func clearScreen(w io.Writer) { _, _ = io.WriteString(w, "\033[2J\033[H") }

// unescapeTabs lets users write \t in a shell argument, as Docker does.
func unescapeTabs(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\t`, "\t"), `\n`, "\n")
}

// writeJSON prints v indented, without HTML escaping ("<none>" stays as is,
// as Docker prints it).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}
