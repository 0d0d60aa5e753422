/**
 * The command-line client of the admin API: {@code keys}, {@code projects}, {@code members} and
 * {@code audit} commands for people and scripts.
 *
 * <p>It talks to the control plane only through the generated stubs of
 * {@code keymeter/admin/v1/admin.proto}, exactly as any other platform tool would. It must not import
 * the store, the server, the lifecycle rules or the key model ({@code dev.keymeter.store},
 * {@code dev.keymeter.admin}, {@code dev.keymeter.lifecycle}, {@code dev.keymeter.keys}): the server
 * is the one place that decides what is valid, and the client checks only what it needs to build a
 * well-formed request (number formats, option combinations). Two exceptions, both shared definitions:
 * {@code dev.keymeter.keys.UnsafeText}, so that what the CLI escapes when it prints is exactly what
 * the server refuses, and {@code dev.keymeter.keys.LimitBound}, so that a number too large to send is
 * refused naming the same maximum the server would ({@code ControlPlanePackageRulesTest} holds the
 * rule and its exceptions).
 *
 * <p>The executable's root command lives elsewhere; it adds {@link dev.keymeter.cli.CliSupport#CLIENT_COMMANDS}
 * as subcommands and installs the error handling with {@link dev.keymeter.cli.CliSupport#configure}.
 * Exit codes are documented in {@link dev.keymeter.cli.CliErrors}.
 *
 * <p>Secrets: a token is printed once, by the command that created it; the admin key is sent only in
 * the {@code authorization} header and is never printed, not even in error messages.
 *
 * <p>Thread-safety: command objects are built, parsed and run on one thread, once per invocation.
 * The value helpers ({@link dev.keymeter.cli.Usd}, {@link dev.keymeter.cli.Times}) are stateless.
 */
package dev.keymeter.cli;
