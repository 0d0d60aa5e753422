package dev.keymeter.store;

/**
 * A listing's paging arguments are unusable: a malformed page token, or a page size below 1. Its
 * message names the field ({@code page_token: malformed}) and is written to be shown to the caller;
 * the admin API answers it with INVALID_ARGUMENT by this type, never by reading the message.
 */
public final class InvalidPageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidPageException(String message) {
        super(message);
    }

    InvalidPageException(String message, Throwable cause) {
        super(message, cause);
    }
}
