package results

import (
	"fmt"
	"io"
	"strings"
)

// WriteSchemaMarkdown writes the schema as a Markdown table, as the README shows it.
func WriteSchemaMarkdown(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "| column | unit | meaning |\n| --- | --- | --- |"); err != nil {
		return err
	}
	for _, c := range Columns() {
		if _, err := fmt.Fprintf(w, "| `%s` | %s | %s |\n", c.Name, c.Unit, strings.ReplaceAll(c.Doc, "|", `\|`)); err != nil {
			return err
		}
	}
	return nil
}
