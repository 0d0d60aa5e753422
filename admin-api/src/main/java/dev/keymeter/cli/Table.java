package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: columns as wide as their widest cell, two spaces between columns, no trailing
 * blanks. With headers it is a listing; without, a "label  value" block for one record.
 *
 * <p>Cells are escaped ({@link UnsafeText#escaped}): a control character (newline, ESC…), a bidi
 * override, a zero-width character or a line separator in a name or an audit value (a row stored
 * before names refused them) would break the layout, reorder or hide what follows, or drive the
 * reader's terminal, so each shows as its {@code &#92;uXXXX} escape.
 */
final class Table {

    private static final String GAP = "  ";

    private final int columns;
    private final List<String[]> rows = new ArrayList<>();

    private Table(int columns) {
        this.columns = columns;
    }

    /** A table whose first row is {@code headers}. */
    static Table withHeaders(String... headers) {
        Table table = new Table(headers.length);
        table.row((Object[]) headers);
        return table;
    }

    /** A table without a header row, e.g. label/value pairs. */
    static Table withoutHeaders(int columns) {
        return new Table(columns);
    }

    /** Adds a row; {@code null} cells print empty. */
    Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns);
        }
        rows.add(Arrays.stream(cells).map(Table::clean).toArray(String[]::new));
        return this;
    }

    /** The width of each column: the length of its longest cell, header included. */
    int[] widths() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], width(row[c]));
            }
        }
        return widths;
    }

    void print(PrintWriter out) {
        int[] widths = widths();
        for (String[] row : rows) {
            out.println(line(row, widths));
        }
    }

    private static String line(String[] row, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < row.length; c++) {
            if (c > 0) {
                line.append(GAP);
            }
            line.append(row[c]).append(" ".repeat(widths[c] - width(row[c])));
        }
        return line.toString().stripTrailing();
    }

    private static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }

    private static String clean(Object cell) {
        if (cell == null) {
            return "";
        }
        return UnsafeText.escaped(cell.toString());
    }
}
