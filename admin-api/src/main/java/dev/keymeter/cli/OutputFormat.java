package dev.keymeter.cli;

/** How a command prints its result: aligned text for people, or protobuf JSON for scripts. */
enum OutputFormat {
    TABLE,
    JSON
}
