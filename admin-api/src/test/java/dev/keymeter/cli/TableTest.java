package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void widths_cellsLongerThanHeaders_areTheLongestCell() {
        Table table = Table.withHeaders("ID", "Name")
                .row("key_0123456789", "a")
                .row("k", "production gateway");

        assertArrayEquals(new int[] {14, 18}, table.widths());
    }

    @Test
    void print_rows_alignColumnsWithTwoSpacesAndNoTrailingBlanks() {
        String printed = print(Table.withHeaders("ID", "Name", "Status")
                .row("key_1", "ci", "Active")
                .row("key_22", "production", "Revoked"));

        assertEquals(String.join(System.lineSeparator(),
                "ID      Name        Status",
                "key_1   ci          Active",
                "key_22  production  Revoked", ""), printed);
    }

    @Test
    void print_withoutHeaders_printsOnlyTheRows() {
        String printed = print(Table.withoutHeaders(2).row("Name", "ci").row("Permissions", "All"));

        assertEquals(String.join(System.lineSeparator(), "Name         ci", "Permissions  All", ""), printed);
    }

    @Test
    void print_controlCharactersInCells_areShownEscaped() {
        String printed = print(Table.withoutHeaders(1).row("evil\u001b[2Jname\nnext"));

        assertEquals("evil\\u001b[2Jname\\u000anext" + System.lineSeparator(), printed);
    }

    @Test
    void print_bidiZeroWidthAndSeparatorsInCells_areShownEscaped_lettersAndEmojiAsThemselves() {
        String printed = print(Table.withoutHeaders(1).row("a\u202Eb\u200Bc\u2028d\u2066e\uFEFF \u00E9\uD83D\uDE00"));

        assertEquals("a\\u202eb\\u200bc\\u2028d\\u2066e\\ufeff \u00E9\uD83D\uDE00" + System.lineSeparator(), printed);
    }

    @Test
    void widths_emojiCell_countsCharactersNotUtf16Units() {
        assertArrayEquals(new int[] {3}, Table.withoutHeaders(1).row("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00").widths());
    }

    @Test
    void print_nullCell_isEmpty() {
        assertEquals("a" + System.lineSeparator(), print(Table.withoutHeaders(2).row("a", null)));
    }

    @Test
    void row_wrongNumberOfCells_isRefused() {
        Table table = Table.withHeaders("A", "B");

        assertThrows(IllegalArgumentException.class, () -> table.row("only one"));
    }

    private static String print(Table table) {
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out, true));
        return out.toString();
    }
}
