package dev.keymeter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code --page-size}, {@code --page-token} and {@code --all} for the list commands, and the loop that
 * follows {@code next_page_token}.
 */
final class PageOptions {

    @Option(names = "--page-size", paramLabel = "N", description = "Items per page, 1–1000 (default: server's, 100).")
    int pageSize;

    @Option(names = "--page-token", paramLabel = "TOKEN", description = "Continue from a previous listing.")
    String pageToken = "";

    @Option(names = "--all", description = "Follow the pages until the last one.")
    boolean all;

    /**
     * Fetches one page, or every page from {@code --page-token} on with {@code --all}.
     *
     * @param fetch     the call for one page token
     * @param nextToken a page's next_page_token, empty on the last page
     */
    <P> List<P> fetch(Function<String, P> fetch, Function<P, String> nextToken) {
        List<P> pages = new ArrayList<>();
        String token = pageToken;
        do {
            P page = fetch.apply(token);
            pages.add(page);
            token = nextToken.apply(page);
        } while (all && !token.isEmpty());
        return pages;
    }
}
