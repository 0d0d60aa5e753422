package dev.keymeter.console;

import dev.keymeter.lifecycle.AdminFailure;
import java.net.SocketAddress;

/**
 * Where a refused sign-in is counted: the control plane's summary of refused calls, so that someone
 * trying keys at the console shows in the audit log like someone trying them on the gRPC port.
 */
@FunctionalInterface
public interface SignInRefusals {

    /** One sign-in refused for {@code reason}, from {@code peer} (its host is audited, never the key). */
    void refused(AdminFailure.Reason reason, SocketAddress peer);
}
