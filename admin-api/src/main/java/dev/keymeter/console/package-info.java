/**
 * The web console under {@code /console/}: its pages and scripts (served from the jar), sign-in with
 * an admin key, server-side sessions and the session's way of calling the JSON admin API
 * ({@link dev.keymeter.console.SessionCallerToken}).
 *
 * <p>The admin key a person signs in with stays in this process: in a {@link dev.keymeter.console.Session}
 * held by {@link dev.keymeter.console.Sessions}, found again through an HttpOnly, SameSite=Strict cookie
 * holding a random 256-bit id. It is never written to a page, a URL, browser storage or a log. Every
 * change made through a session needs the session's CSRF token in {@code X-CSRF-Token} and, when the
 * browser sends one, an {@code Origin} equal to the listener's own.
 *
 * <p>The console decides nothing about keys: sign-in asks the control plane's
 * {@link dev.keymeter.lifecycle.Authenticator}, and every screen calls the JSON admin API, which runs
 * the same rules as gRPC. Must not read the store (only its {@code StoreException}, to say it is down)
 * nor import the generated protobuf classes.
 *
 * <p>Thread-safety: {@link dev.keymeter.console.Sessions} is a concurrent map of immutable
 * {@link dev.keymeter.console.Session} values; every other class here is immutable.
 */
package dev.keymeter.console;
