package dev.keymeter.admin;

import dev.keymeter.lifecycle.Caller;
import io.grpc.Context;

/** Where the authenticated caller of the current gRPC call lives. */
final class CallerContext {
    static final Context.Key<Caller> CALLER = Context.key("keymeter-caller");

    private CallerContext() {
    }

    /** The caller of the current call; the interceptor guarantees one for every admin method. */
    static Caller current() {
        Caller c = CALLER.get();
        if (c == null) {
            throw new IllegalStateException("no authenticated caller: is AuthInterceptor installed?");
        }
        return c;
    }
}
